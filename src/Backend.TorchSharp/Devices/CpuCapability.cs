namespace GiGpoNet.Backend.Devices;

/// <summary>
/// Which vector instruction set libtorch's CPU kernels (and its MKL) use. libtorch picks the widest the processor has, and AVX-512
/// kernels round differently from AVX2 ones, so the same run gives other figures on another processor. Pinning one set makes results
/// the same on every processor that has it.
/// </summary>
public enum CpuCapability
{
    /// <summary>AVX2 where the processor has it (almost every x86-64 server since 2013), else libtorch's choice. The default.</summary>
    Auto,

    /// <summary>libtorch's choice: the fastest kernels, with figures that depend on the processor.</summary>
    Native,

    /// <summary>AVX2 kernels and MKL's AVX2 code path.</summary>
    Avx2,

    /// <summary>AVX-512 kernels and MKL's AVX-512 code path (only on processors that have it).</summary>
    Avx512,

    /// <summary>libtorch's unvectorized kernels (slow; for comparisons).</summary>
    Default,
}
