using System.Threading.Channels;
using GiGpoNet.Backend.Generation;

namespace GiGpoNet.Serving.Engine;

/// <summary>What one request asks the generator for: its rows (prompts × n) with one model and one way of sampling.</summary>
/// <param name="Model">The served model's name.</param>
/// <param name="Prompts">One token-id prompt per row.</param>
/// <param name="Sampling">How to sample; its seed is used only when <paramref name="Seeded"/>.</param>
/// <param name="Seeded">The request gave a seed: its rows are generated alone, so that the same request gives the same tokens.</param>
/// <param name="Allowed">Per row, the continuations it must be one of, or null.</param>
internal sealed record GenerationWork(string Model, IReadOnlyList<int[]> Prompts, SamplingOptions Sampling, bool Seeded,
    IReadOnlyList<IReadOnlyList<int[]>?>? Allowed);

/// <summary>
/// Collects concurrent requests into batches: the first request waiting opens a short window; the requests that arrive in it with the
/// same model and sampling settings are generated together, up to the batch's row limit. Seeded requests run alone.
/// </summary>
internal sealed class GenerationBatcher : IAsyncDisposable
{
    private readonly ServedPolicy _policy;
    private readonly TimeSpan _window;
    private readonly int _maxRows;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _batches;
    private long _rows;

    private sealed record Pending(GenerationWork Work, TaskCompletionSource<IReadOnlyList<GeneratedSequence>> Done, CancellationToken Cancellation);

    public GenerationBatcher(ServedPolicy policy, TimeSpan window, int maxRows)
    {
        _policy = policy;
        _window = window;
        _maxRows = maxRows;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Generation calls made so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Rows generated so far.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>The generated rows of <paramref name="work"/>, in its order.</summary>
    public Task<IReadOnlyList<GeneratedSequence>> GenerateAsync(GenerationWork work, CancellationToken cancellationToken)
    {
        var pending = new Pending(work, new TaskCompletionSource<IReadOnlyList<GeneratedSequence>>(TaskCreationOptions.RunContinuationsAsynchronously),
            cancellationToken);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(pending), this);
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                var collected = new List<Pending>();
                var rows = 0;
                using (var window = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    window.CancelAfter(_window);
                    try
                    {
                        while (rows < _maxRows)
                        {
                            if (reader.TryRead(out var next))
                            {
                                if (next.Cancellation.IsCancellationRequested) continue; // its client has gone
                                collected.Add(next);
                                rows += next.Work.Prompts.Count;
                                continue;
                            }
                            if (collected.Count == 0 || !await reader.WaitToReadAsync(window.Token)) break;
                        }
                    }
                    catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                    {
                        // the window closed
                    }
                }
                foreach (var group in Groups(collected)) await RunGroupAsync(group);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        while (reader.TryRead(out var left)) left.Done.TrySetCanceled();
    }

    /// <summary>The collected requests by model and sampling settings; a seeded request is a group of its own.</summary>
    private static IEnumerable<List<Pending>> Groups(List<Pending> collected) =>
        collected.GroupBy(p => p.Work.Seeded ? (object)p : new SamplingKey(p.Work.Model, p.Work.Sampling with { Seed = 0, StopStrings = null },
            string.Join('\0', p.Work.Sampling.StopStrings ?? [])))
            .Select(g => g.ToList());

    private sealed record SamplingKey(string Model, SamplingOptions Sampling, string Stops);

    /// <summary>Generates a group in batches of at most the row limit; a request is never split across batches unless it alone passes it.</summary>
    private async Task RunGroupAsync(List<Pending> group)
    {
        var batch = new List<Pending>();
        var rows = 0;
        foreach (var pending in group)
        {
            if (batch.Count > 0 && rows + pending.Work.Prompts.Count > _maxRows)
            {
                await RunBatchAsync(batch);
                (batch, rows) = ([], 0);
            }
            batch.Add(pending);
            rows += pending.Work.Prompts.Count;
        }
        if (batch.Count > 0) await RunBatchAsync(batch);
    }

    private async Task RunBatchAsync(List<Pending> batch)
    {
        var first = batch[0].Work;
        var sampling = first.Seeded ? first.Sampling : first.Sampling with { Seed = Random.Shared.NextInt64() };
        var prompts = batch.SelectMany(p => p.Work.Prompts).ToList();
        var allowed = batch.Any(p => p.Work.Allowed is not null)
            ? batch.SelectMany(p => p.Work.Allowed ?? Enumerable.Repeat<IReadOnlyList<int[]>?>(null, p.Work.Prompts.Count)).ToList()
            : null;
        using var abandoned = AbandonedWhenEveryClientHasGone(batch);
        try
        {
            await _policy.Gate.WaitAsync(abandoned.Token);
            IReadOnlyList<GeneratedSequence> generated;
            try
            {
                // A batch larger than the row limit is one request that alone passes it: generate it in slices.
                generated = [.. prompts.Chunk(_maxRows).SelectMany((slice, i) => _policy.Generate(first.Model, slice, sampling with { Seed = sampling.Seed + i },
                    allowed?.Skip(i * _maxRows).Take(slice.Length).ToList(), abandoned.Token))];
            }
            finally
            {
                _policy.Gate.Release();
            }
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _rows, prompts.Count);
            var offset = 0;
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult([.. generated.Skip(offset).Take(pending.Work.Prompts.Count)]);
                offset += pending.Work.Prompts.Count;
            }
        }
        catch (OperationCanceledException) when (abandoned.IsCancellationRequested)
        {
            foreach (var pending in batch) pending.Done.TrySetCanceled();
        }
        catch (Exception e)
        {
            foreach (var pending in batch) pending.Done.TrySetException(e);
        }
    }

    /// <summary>
    /// Cancelled when the server stops or when every request of <paramref name="batch"/> has been given up by its client: then the batch
    /// stops between two tokens instead of keeping the generator from the requests waiting behind it.
    /// </summary>
    private CancellationTokenSource AbandonedWhenEveryClientHasGone(List<Pending> batch)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var remaining = batch.Count;
        foreach (var pending in batch)
            pending.Cancellation.Register(() =>
            {
                if (Interlocked.Decrement(ref remaining) == 0)
                {
                    try
                    {
                        source.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // the batch had ended
                    }
                }
            });
        return source;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
