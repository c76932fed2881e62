using System.Runtime.ExceptionServices;

namespace Tessera;

/// <summary>
/// Work items on a few dedicated threads, the caller's among them, taken in order of index as
/// threads come free: neighbouring items run close together in time, which is what lets the
/// pyramid's blocks share decoded tiles and registration's pairs share tile strips.
/// </summary>
internal static class WorkerThreads
{
    /// <summary>
    /// Runs <paramref name="work"/> for 0..<paramref name="count"/>−1 on up to
    /// <paramref name="threads"/> threads (named <paramref name="name"/>-1, -2, …). The first failure
    /// stops the others and is rethrown as it was: a bad tile reads as itself, not from inside an
    /// AggregateException.
    /// </summary>
    public static void For(int count, int threads, Action<int> work, string name, CancellationToken cancellationToken)
    {
        threads = Math.Min(threads, count);
        int next = -1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        void Worker()
        {
            int i;
            while (!stop.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    work(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    stop.Cancel();
                }
            }
        }

        var workers = new Thread[Math.Max(0, threads - 1)];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = new Thread(Worker) { IsBackground = true, Name = $"{name}-{w + 1}" };
            workers[w].Start();
        }

        Worker();
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
