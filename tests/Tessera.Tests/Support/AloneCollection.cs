using Xunit;

namespace Tessera.Tests.Support;

/// <summary>
/// Tests that count the bytes the whole process allocates: xunit runs this collection on its own,
/// after the others, so that no other test's allocations are counted with theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "Alone";
}
