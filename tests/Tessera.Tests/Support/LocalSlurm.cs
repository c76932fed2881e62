using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Tessera.Tests.Support;

/// <summary>
/// The one-node Slurm cluster of scripts/slurm-local.sh, started for the tests that need it when it
/// does not run yet (and stopped again after them), and the Slurm commands run against it.
/// </summary>
public sealed partial class LocalSlurm : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private readonly bool _startedHere;
    private readonly string? _slurmConf;

    public LocalSlurm()
    {
        _startedHere = Run("bash", Script, "status").ExitCode != 0;
        var start = _startedHere ? Run("bash", Script, "start") : Run("bash", Script, "env");
        Match conf = SlurmConfLine().Match(start.Output);
        if (start.ExitCode != 0 || !conf.Success)
        {
            // Not a skip: CI installs Slurm (scripts/setup.sh), so a cluster that cannot start is a failure.
            throw new InvalidOperationException($"scripts/slurm-local.sh start failed (exit {start.ExitCode}): {start.Error.Trim()}");
        }

        _slurmConf = conf.Groups[1].Value.Trim();
    }

    /// <summary>The cluster's slurm.conf, given to every Slurm command through SLURM_CONF.</summary>
    public string SlurmConf => _slurmConf ?? throw new InvalidOperationException("The cluster did not start.");

    public static string SubmitScript => Repository.Combine("deploy", "slurm", "submit.sh");

    private static string Script => Repository.Combine("scripts", "slurm-local.sh");

    /// <summary>Runs a command with this cluster's SLURM_CONF and the extra variables given.</summary>
    public CliRunner.Result Run(string command, params string[] args) => RunWith(new Dictionary<string, string?>(), command, args);

    public CliRunner.Result RunWith(IReadOnlyDictionary<string, string?> environment, string command, params string[] args)
    {
        var variables = new Dictionary<string, string?>(environment);
        if (_slurmConf is not null)
        {
            variables.TryAdd("SLURM_CONF", _slurmConf);
        }

        return ExternalCommand.Run(command, args, CommandTimeout, environment: variables);
    }

    /// <summary>
    /// The state of every job (an array job's tasks by their index, a plain job under -1), read
    /// from the controller; there is no accounting database for sacct on this cluster.
    /// </summary>
    public SlurmJobState[] States(string jobId)
    {
        var show = Run("scontrol", "--oneliner", "show", "job", jobId);
        if (show.ExitCode != 0)
        {
            throw new InvalidOperationException($"scontrol show job {jobId}: {show.Error.Trim()}");
        }

        return [.. show.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(SlurmJobState.Parse)];
    }

    /// <summary>Waits until every task of each job has ended; fails with the queue and job states after <paramref name="timeout"/>.</summary>
    public void WaitUntilEnded(TimeSpan timeout, params string[] jobIds)
    {
        var clock = Stopwatch.StartNew();
        while (!jobIds.All(id => States(id).All(s => s.HasEnded)))
        {
            if (clock.Elapsed > timeout)
            {
                string states = string.Join("; ", jobIds.SelectMany(States));
                throw new TimeoutException($"Slurm jobs {string.Join(", ", jobIds)} still running after {timeout}: {states}; queue: {Run("squeue").Output}");
            }

            Thread.Sleep(500);
        }
    }

    public void Dispose()
    {
        if (_startedHere)
        {
            Run("bash", Script, "stop");
        }
    }

    [GeneratedRegex(@"^export SLURM_CONF=(.+)$", RegexOptions.Multiline)]
    private static partial Regex SlurmConfLine();
}
