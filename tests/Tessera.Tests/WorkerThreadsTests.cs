using System.Collections.Concurrent;
using Xunit;

namespace Tessera.Tests;

/// <summary>The engine's work loop: every item once, on no more threads than asked, the first failure as itself.</summary>
public sealed class WorkerThreadsTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 4)]
    [InlineData(1000, 1)]
    [InlineData(1000, 3)]
    public void Every_item_runs_exactly_once(int count, int threads)
    {
        var runs = new int[count];
        WorkerThreads.For(count, threads, i => Interlocked.Increment(ref runs[i]), "test", CancellationToken.None);
        Assert.All(runs, n => Assert.Equal(1, n));
    }

    [Fact]
    public void No_more_threads_than_asked_or_than_items_and_the_caller_is_one()
    {
        var threads = new ConcurrentDictionary<int, string?>();
        int caller = Environment.CurrentManagedThreadId;
        using var barrier = new Barrier(3);
        WorkerThreads.For(3, 8, _ =>
        {
            threads[Environment.CurrentManagedThreadId] = Thread.CurrentThread.Name;
            barrier.SignalAndWait(TimeSpan.FromSeconds(30)); // all three items at once: three threads
        }, "named", CancellationToken.None);
        Assert.Equal(3, threads.Count);
        Assert.Contains(caller, threads.Keys);
        Assert.Equal(["named-1", "named-2"], threads.Where(t => t.Key != caller).Select(t => t.Value).Order());
    }

    [Fact]
    public void The_first_failure_is_rethrown_as_itself_and_stops_the_rest()
    {
        int ran = 0;
        var failure = new InvalidDataException("tile 3 is damaged");
        var thrown = Assert.Throws<InvalidDataException>(() => WorkerThreads.For(10_000, 2, i =>
        {
            Interlocked.Increment(ref ran);
            if (i == 3)
            {
                throw failure;
            }

            Thread.Sleep(1);
        }, "test", CancellationToken.None));
        Assert.Same(failure, thrown);
        Assert.True(ran < 1_000, $"{ran} items ran after the failure");
    }

    [Fact]
    public void Cancellation_stops_the_work_and_is_reported()
    {
        using var cancel = new CancellationTokenSource();
        int ran = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => WorkerThreads.For(10_000, 2, i =>
        {
            if (Interlocked.Increment(ref ran) == 10)
            {
                cancel.Cancel();
            }

            Thread.Sleep(1);
        }, "test", cancel.Token));
        Assert.True(ran < 1_000, $"{ran} items ran after the cancellation");
    }
}
