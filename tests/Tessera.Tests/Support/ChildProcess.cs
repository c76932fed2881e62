using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Tessera.Tests.Support;

/// <summary>The tessera command as a child process that a test can interrupt.</summary>
public sealed partial class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    private ChildProcess(Process process)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    public static ChildProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tessera.Cli.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new ChildProcess(Process.Start(start)!);
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>SIGKILL: no chance to clean up, as a power cut or the OOM killer.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGINT, as Ctrl-C in a terminal.</summary>
    public void Interrupt()
    {
        if (SendSignal(_process.Id, 2) != 0)
        {
            throw new InvalidOperationException($"kill -INT {_process.Id} failed");
        }
    }

    /// <summary>SIGTERM, as a scheduler sends before it kills a job.</summary>
    public void Terminate()
    {
        if (SendSignal(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
        }
    }

    /// <summary>SIGSTOP: the process stays, holding what it holds (files, locks), but does nothing until <see cref="Continue"/>.</summary>
    public void Pause() => Signal(19, "STOP");

    /// <summary>SIGCONT, after <see cref="Pause"/>.</summary>
    public void Continue() => Signal(18, "CONT");

    private void Signal(int signal, string name)
    {
        if (SendSignal(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill -{name} {_process.Id} failed");
        }
    }

    public CliRunner.Result WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tessera did not exit within {timeout}");
        }

        _process.WaitForExit();
        return new CliRunner.Result(_process.ExitCode, _output.Result, _error.Result);
    }

    public void Dispose() => _process.Dispose();

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);
}
