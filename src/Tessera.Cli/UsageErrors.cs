using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Tessera.Cli;

/// <summary>
/// What a command line that does not parse gets: each problem once, on standard error, in the
/// same "tessera: error:" form as every other error, a suggestion for a misspelt option, and where
/// to read the options — not System.CommandLine's default of the whole help text on standard
/// output, which buries a one-line mistake under forty lines.
/// </summary>
internal static class UsageErrors
{
    public static int Report(ParseResult parse, TextWriter error)
    {
        Command command = parse.CommandResult.Command;
        string path = CommandPath(command);
        var problems = parse.Errors.Select(e => Describe(e, parse)).OfType<Problem>().Distinct().ToList();
        // After an unknown command word, the words that follow are its arguments, not more mistakes.
        Problem? unknownCommand = problems.FirstOrDefault(p => p.Kind == ProblemKind.UnknownCommand);
        if (unknownCommand is not null)
        {
            problems = [unknownCommand];
        }

        // A value after a misspelt option is unmatched too; the option is the mistake to name.
        if (problems.Any(p => p.Kind == ProblemKind.UnknownOption))
        {
            problems.RemoveAll(p => p.Kind == ProblemKind.UnexpectedArgument);
        }

        foreach (Problem problem in problems)
        {
            error.WriteLine($"{path}: error: {problem.Text}");
        }

        error.WriteLine($"Run '{path} --help' to see its arguments and options.");
        return Errors.InputError;
    }

    private enum ProblemKind
    {
        Other,
        UnknownOption,
        UnknownCommand,
        UnexpectedArgument,
    }

    private sealed record Problem(ProblemKind Kind, string Text);

    /// <summary>
    /// One of System.CommandLine's errors in Tessera's words. Its messages are recognised by their
    /// English text (the CLI ships no other resource language); one not recognised is kept as it is.
    /// </summary>
    private static Problem? Describe(ParseError error, ParseResult parse)
    {
        Command command = parse.CommandResult.Command;
        if (error.SymbolResult is OptionResult { Option: var option } result)
        {
            string given = string.Join(" ", result.Tokens.Select(t => t.Value));
            if (error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
            {
                return new(ProblemKind.Other, $"{option.Name} {given}: {Expected(option.ValueType)}");
            }

            if (error.Message.StartsWith("Required argument missing for option", StringComparison.Ordinal))
            {
                return new(ProblemKind.Other, $"{option.Name} needs a value");
            }

            var allowed = Regex.Matches(error.Message, @"^\s*'([^']*)'\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
            if (allowed.Count > 0)
            {
                return new(ProblemKind.Other, $"{option.Name} {given}: expected one of {string.Join(", ", allowed)}");
            }
        }

        if (error.Message.StartsWith("Required argument missing for command", StringComparison.Ordinal))
        {
            var missing = command.Arguments.Where(a => parse.GetResult(a) is not { Tokens.Count: > 0 }).Select(a => $"<{a.Name}>").ToList();
            return new(ProblemKind.Other, missing.Count == 0 ? error.Message.TrimEnd('.') : $"missing {string.Join(" and ", missing)}");
        }

        if (error.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))
        {
            // "tessera bild" also names the unknown word, which says more.
            return parse.UnmatchedTokens.Count > 0 ? null
                : new(ProblemKind.Other, "which command? (" + string.Join(", ", command.Subcommands.Select(c => c.Name)) + ")");
        }

        string? unknown = UnmatchedToken(error.Message);
        if (unknown is null)
        {
            return new(ProblemKind.Other, error.Message.TrimEnd('.'));
        }

        if (unknown.StartsWith('-'))
        {
            var longNames = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
            string? near = Nearest(unknown.Split('=', 2)[0], longNames);
            return new(ProblemKind.UnknownOption, near is null ? $"unknown option {unknown}" : $"unknown option {unknown} (did you mean {near}?)");
        }

        if (command.Subcommands.Count > 0)
        {
            string? near = Nearest(unknown, command.Subcommands.Select(c => c.Name));
            return new(ProblemKind.UnknownCommand, near is null ? $"unknown command {unknown}" : $"unknown command {unknown} (did you mean {near}?)");
        }

        return new(ProblemKind.UnexpectedArgument, $"unexpected argument {unknown}");
    }

    /// <summary>What a value of this type looks like, in words.</summary>
    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return "expected one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()));
        }

        return type == typeof(int) || type == typeof(long) ? "expected a whole number"
            : type == typeof(double) || type == typeof(float) ? "expected a number"
            : $"expected a {type.Name}";
    }

    /// <summary>The token System.CommandLine names in "Unrecognized command or argument 'X'.", if that is the message.</summary>
    private static string? UnmatchedToken(string message)
    {
        const string Prefix = "Unrecognized command or argument '";
        return message.StartsWith(Prefix, StringComparison.Ordinal) && message.EndsWith("'.", StringComparison.Ordinal)
            ? message[Prefix.Length..^2]
            : null;
    }

    /// <summary>The name closest in spelling to what was typed, if one is close (a prefix, or at most two edits).</summary>
    private static string? Nearest(string typed, IEnumerable<string> names) =>
        names
            .Select(name => (Name: name, Distance: name.StartsWith(typed, StringComparison.Ordinal) ? 0 : Edits(typed, name)))
            .Where(c => c.Distance <= 2)
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();

    private static int Edits(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c; s = c.Parents.FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return string.Join(" ", names);
    }
}
