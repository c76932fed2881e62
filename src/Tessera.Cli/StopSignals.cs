using System.Runtime.InteropServices;

namespace Tessera.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM for a command that stops cleanly on a token: the first signal cancels
/// <see cref="Token"/>, and a build stops at its next check, between blocks. A wait that no token
/// reaches (a read from a pipe, or from a network share that stopped answering) would hold the
/// process for ever, so a second signal, or the first one not obeyed within <see cref="Grace"/>, ends
/// the process at once: what was finished is kept all the same, as after SIGKILL.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    /// <summary>Long enough for a build to finish the blocks it is writing on a busy machine.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);

    public const int ExitCode = 130;

    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private readonly string _afterStop;
    private readonly Lock _lock = new();
    private Timer? _watchdog;
    private bool _disposed;
    private int _signals;

    /// <param name="token">Cancelled too when this one is.</param>
    /// <param name="afterStop">What the user can do once the process has been stopped at once.</param>
    public StopSignals(CancellationToken token, string afterStop)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        _afterStop = afterStop;
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) > 1)
        {
            StopNow("a second signal");
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _watchdog = new Timer(_ => StopNow($"it did not stop within {Grace.TotalSeconds:0} s"), null, Grace, Timeout.InfiniteTimeSpan);
            _stop.Cancel();
        }
    }

    private void StopNow(string why)
    {
        Console.Error.WriteLine($"tessera: stopped at once ({why}); {_afterStop}");
        Environment.Exit(ExitCode);
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        lock (_lock)
        {
            _disposed = true;
            _watchdog?.Dispose();
            _stop.Dispose();
        }
    }
}
