namespace GiGpoNet.Environments;

/// <summary>Derives the generator seed of a task from its seed and split, so that the splits never share a task.</summary>
public static class TaskSeeds
{
    /// <summary>A 32-bit generator seed, different for every (seed, split) pair in practice (SplitMix64 of both).</summary>
    public static int For(long taskSeed, DatasetSplit split)
    {
        var x = unchecked((ulong)taskSeed * 0x9E3779B97F4A7C15UL + (ulong)split * 0xD1B54A32D192ED03UL + 0x632BE59BD9B4E019UL);
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)(x & 0x7FFFFFFF);
    }
}
