using System.Globalization;

namespace Tessera.Build;

/// <summary>One part of a split build: shard <see cref="Index"/> (from 0) of <see cref="Count"/>.</summary>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>Where schedulers put an array job's index, in the order they are looked for.</summary>
    public static readonly IReadOnlyList<string> IndexVariables = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"];

    /// <summary>
    /// Parses <c>I/N</c>, or <c>N</c> alone with the index taken from the scheduler's environment
    /// (<see cref="IndexVariables"/>; for Slurm counted from <c>SLURM_ARRAY_TASK_MIN</c>, so arrays
    /// numbered from 1 work too).
    /// </summary>
    public static ShardSpec Parse(string text, Func<string, string?> environment)
    {
        string[] parts = text.Split('/');
        if (parts.Length > 2 || !TryNumber(parts[^1], out int count) || count < 1)
        {
            throw new TesseraException($"\"{text}\" is not a shard: use I/N (shard I of N, from 0), or N with the index in {string.Join(", ", IndexVariables)}.");
        }

        int index;
        if (parts.Length == 2)
        {
            if (!TryNumber(parts[0], out index))
            {
                throw new TesseraException($"\"{text}\" is not a shard: the index before the / must be a whole number.");
            }
        }
        else
        {
            index = IndexFromEnvironment(environment, text);
        }

        if (index >= count)
        {
            throw new TesseraException($"Shard {index} does not exist in a build of {count} shards (shards count from 0 to {count - 1}).");
        }

        return new ShardSpec(index, count);
    }

    private static int IndexFromEnvironment(Func<string, string?> environment, string text)
    {
        foreach (string name in IndexVariables)
        {
            string? value = environment(name);
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!TryNumber(value, out int index))
            {
                throw new TesseraException($"{name}=\"{value}\" is not a shard index.");
            }

            if (name == "SLURM_ARRAY_TASK_ID" && TryNumber(environment("SLURM_ARRAY_TASK_MIN") ?? "0", out int first))
            {
                index -= first;
            }

            return index;
        }

        throw new TesseraException($"Shard {text} takes the shard index from the scheduler, but none of {string.Join(", ", IndexVariables)} is set: give it as Shard I/{text}.", "Shard");
    }

    private static bool TryNumber(string s, out int value) =>
        int.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
