using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Tessera.Registration;

/// <summary>
/// Processor time spent in each <see cref="RegistrationStage"/>, summed over every thread, for
/// finding where a registration's time goes (the bench's <c>register</c> command prints it). Off
/// unless <see cref="RegistrationOptions.Timings"/> names one; safe to add to from any thread.
/// </summary>
/// <remarks>
/// The time is the calling thread's own processor time (CLOCK_THREAD_CPUTIME_ID on Linux), not the
/// wall clock: on a machine shared with other work a thread that waits for a core would otherwise
/// charge the wait to whatever stage it was in. Elsewhere it falls back to the wall clock.
/// </remarks>
internal sealed partial class RegistrationTimings
{
    private const int ThreadCpuClock = 3;
    private readonly long[] _nanoseconds = new long[Enum.GetValues<RegistrationStage>().Length];
    private readonly long[] _counts = new long[Enum.GetValues<RegistrationStage>().Length];
    private bool _wallClock = !OperatingSystem.IsLinux();

    /// <summary>A start time for <see cref="Add"/>; 0, and nothing read, when <paramref name="timings"/> is null.</summary>
    public static long Start(RegistrationTimings? timings) => timings?.Now() ?? 0;

    /// <summary>Adds the time since <paramref name="start"/> (from <see cref="Start"/>) to <paramref name="stage"/>.</summary>
    public void Add(RegistrationStage stage, long start)
    {
        Interlocked.Add(ref _nanoseconds[(int)stage], Now() - start);
        Interlocked.Increment(ref _counts[(int)stage]);
    }

    public TimeSpan this[RegistrationStage stage] => TimeSpan.FromTicks(Volatile.Read(ref _nanoseconds[(int)stage]) / 100);

    public long Count(RegistrationStage stage) => Volatile.Read(ref _counts[(int)stage]);

    /// <summary>One line per stage that ran: its time (summed over threads), calls and time per call.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        text.AppendLine(_wallClock ? "stage              wall time, summed over threads" : "stage              processor time, summed over threads");
        foreach (RegistrationStage stage in Enum.GetValues<RegistrationStage>())
        {
            long count = Count(stage);
            if (count > 0)
            {
                double seconds = this[stage].TotalSeconds;
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{stage,-18} {seconds,9:F3} s {count,9} calls {seconds * 1e6 / count,10:F1} µs/call"));
            }
        }

        return text.ToString();
    }

    private long Now()
    {
        if (!_wallClock)
        {
            try
            {
                if (ClockGetTime(ThreadCpuClock, out TimeSpec t) == 0)
                {
                    return (t.Seconds * 1_000_000_000) + t.Nanoseconds;
                }
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
            }

            _wallClock = true;
        }

        return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
