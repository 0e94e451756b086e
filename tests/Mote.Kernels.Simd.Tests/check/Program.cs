using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#pragma warning disable CA2252 // AvxVnni: preview-marked in the net8.0 reference assembly
using Mote.Kernels.Simd;
using Mote.Kernels.Simd.Tests;

// usage: Mote.Kernels.Simd.Check <expected path> <expected Avx2.IsSupported> <expected Avx512F.IsSupported> [<expected Sse41.IsSupported> [<expected AvxVnni.IsSupported>]]
// Exit 3 when the environment did not produce the expected ISA state (the leg cannot run its path).
string state = $"path={SimdKernelSet.ActivePath} avx2={Avx2.IsSupported} avx512={Avx512F.IsSupported} sse41={Sse41.IsSupported} avxvnni={AvxVnni.IsSupported} v128={Vector128.IsHardwareAccelerated}";
if (SimdKernelSet.ActivePath != args[0] || Avx2.IsSupported.ToString() != args[1] && args[1] != "any"
    || Avx512F.IsSupported.ToString() != args[2] && args[2] != "any"
    || args.Length > 3 && Sse41.IsSupported.ToString() != args[3] && args[3] != "any"
    || args.Length > 4 && AvxVnni.IsSupported.ToString() != args[4] && args[4] != "any")
{
    Console.WriteLine($"switch did not take effect: {state}; expected path={args[0]} avx2={args[1]} avx512={args[2]} sse41={(args.Length > 3 ? args[3] : "any")} avxvnni={(args.Length > 4 ? args[4] : "any")}");
    return 3;
}
try
{
    int n = RandomCases.RunAll();
    Console.WriteLine($"ok {n} cases, {state}");
    return 0;
}
catch (Exception e)
{
    Console.WriteLine($"MISMATCH ({state}): {e.Message}");
    return 1;
}
