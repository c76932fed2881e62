using System.Globalization;

namespace Tessera.Bench;

/// <summary>
/// Positional arguments plus <c>--name value</c> options, parsed by hand.
/// Every option must be consumed by the command, so typos are reported instead of ignored.
/// </summary>
internal sealed class CommandArguments
{
    private readonly List<string> _positionals = [];
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public CommandArguments(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                _positionals.Add(args[i]);
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new UsageException($"option {args[i]} needs a value");
            }

            if (!_options.TryAdd(args[i][2..], args[++i]))
            {
                throw new UsageException($"option {args[i - 1]} given twice");
            }
        }
    }

    public string Positional(int index, string name) =>
        index < _positionals.Count ? _positionals[index] : throw new UsageException($"missing {name}");

    public string String(string name, string defaultValue) => _options.Remove(name, out var text) ? text : defaultValue;

    public int Int(string name, int defaultValue, int min) => OptionalInt(name, min) ?? defaultValue;

    /// <summary>A number ≥ 0, invariant culture.</summary>
    public double Double(string name, double defaultValue)
    {
        if (!_options.Remove(name, out var text))
        {
            return defaultValue;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new UsageException($"--{name} expects a number ≥ 0, got '{text}'");
    }

    public int RequiredInt(string name, int min) =>
        OptionalInt(name, min) ?? throw new UsageException($"missing --{name}");

    public int? OptionalInt(string name, int min)
    {
        if (!_options.Remove(name, out var text))
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new UsageException($"--{name} expects an integer, got '{text}'");
        }

        return value >= min ? value : throw new UsageException($"--{name} must be at least {min}, got {value}");
    }

    /// <summary>Call after reading every option: rejects leftovers and surplus positionals.</summary>
    public void EnsureAllUsed(int positionalCount)
    {
        if (_options.Count > 0)
        {
            throw new UsageException($"unknown option --{_options.Keys.First()}");
        }

        if (_positionals.Count > positionalCount)
        {
            throw new UsageException($"unexpected argument '{_positionals[positionalCount]}'");
        }
    }
}
