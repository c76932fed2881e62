using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Tessera.Tests.Support;

/// <summary><c>tessera serve</c> as a child process: started on a free loopback port, its address read from its output.</summary>
public sealed partial class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _address.TrySetException(new InvalidOperationException($"tessera serve ended without an address; stderr: {Error}"));
                return;
            }

            lock (_output)
            {
                _output.AppendLine(e.Data);
            }

            if (AddressPattern().Match(e.Data) is { Success: true } match)
            {
                _address.TrySetResult(match.Groups[1].Value);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_error)
            {
                _error.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The address printed, without a trailing slash: http://127.0.0.1:PORT.</summary>
    public string Address { get; private set; } = "";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Starts <c>tessera serve PYRAMID [PYRAMID] --port 0</c> and waits until it prints where it listens.</summary>
    public static ServeProcess Start(params string[] pyramids)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tessera.Cli.dll"));
        foreach (string arg in (string[])["serve", .. pyramids, "--port", "0"])
        {
            start.ArgumentList.Add(arg);
        }

        var serve = new ServeProcess(Process.Start(start)!);
        if (!serve._address.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            serve.Dispose();
            throw new TimeoutException($"tessera serve printed no address within 60 s; stderr: {serve.Error}");
        }

        serve.Address = serve._address.Task.Result;
        return serve;
    }

    public int Port => new Uri(Address).Port;

    /// <summary>Ctrl-C; returns the exit code.</summary>
    public int Interrupt(TimeSpan timeout)
    {
        if (SendSignal(_process.Id, 2) != 0)
        {
            throw new InvalidOperationException($"kill -INT {_process.Id} failed");
        }

        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tessera serve did not stop within {timeout} of Ctrl-C");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@" at (http://127\.0\.0\.1:\d+)/")]
    private static partial Regex AddressPattern();

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);
}
