namespace Tessera.Bench;

/// <summary>The command line is malformed; the usage text is shown.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The command cannot run on its input (missing or inconsistent tiles, ...).</summary>
internal sealed class BenchException(string message) : Exception(message);
