using System.Globalization;
using System.Text.RegularExpressions;

namespace Tessera.Tests.Support;

/// <summary>One job, or one task of an array job (<see cref="Task"/> -1 for a plain job), as <c>scontrol --oneliner show job</c> reports it.</summary>
public sealed record SlurmJobState(string JobId, int Task, string State, string Reason, string ExitCode, string TimeLimit)
{
    /// <summary>The states a job does not leave (Slurm's "completed" states).</summary>
    private static readonly HashSet<string> Ended =
        ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE"];

    public bool HasEnded => Ended.Contains(State);

    public static SlurmJobState Parse(string line)
    {
        string Field(string name) => Regex.Match(line, $@"(?:^| ){name}=(\S*)").Groups[1].Value;

        // Tasks not started yet are one record with a range of indices ("1-2" or "[1-2]"): not a single task.
        string task = Field("ArrayTaskId");
        int index = task.Length == 0 ? -1
            : int.TryParse(task, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : int.MinValue;
        return new SlurmJobState(Field("JobId"), index, Field("JobState"), Field("Reason"), Field("ExitCode"), Field("TimeLimit"));
    }

    public override string ToString() => $"job {JobId}{(Task >= 0 ? $" (task {Task})" : "")} {State} {Reason} exit {ExitCode}";
}
