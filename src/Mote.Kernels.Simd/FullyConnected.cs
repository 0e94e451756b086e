using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

// AvxVnni is marked [RequiresPreviewFeatures] in the net8.0 reference assembly only; the JIT treats it as any ISA class.
#pragma warning disable CA2252

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// FULLY_CONNECTED, bit-exact with <see cref="Reference.FullyConnected"/> (same name, signature
    /// and contract: input int8 [Batches, AccumDepth], filter int8 [OutputDepth, AccumDepth],
    /// output int8 [Batches, OutputDepth]). One dot product of AccumDepth per output; scalar
    /// per-channel requantization as the reference. A non-zero FilterOffset (never produced by
    /// TFLite's symmetric int8 weights) runs the reference kernel.
    /// </summary>
    public static unsafe class FullyConnected
    {
        /// <summary>Largest OutputDepth with a SIMD path (requantization table on the stack: 20 bytes per channel).</summary>
        public const int MaxChannels = 2048;

        public static void Eval(FullyConnectedParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            int n = p.AccumDepth; // the dot length
            // Hardware path, chosen here and only here: a 4-output-channel dot (input loaded once) and,
            // for the last OutputDepth % 4 channels, the one-channel leaf.
            delegate*<sbyte*, sbyte*, int, int, int, Vector128<int>> dot4 =
                Dp.IsSupported ? &DotLeaf.Dot4Sdot                        // ARMv8.2 dotprod (Pi 5)
                : AdvSimd.Arm64.IsSupported ? &DotLeaf.Dot4Smull          // ARMv8.0 NEON (Pi 4)
                : AvxVnni.IsSupported && n >= 64 ? &DotLeaf.Dot4AvxVnni   // x64 AVX-VNNI vpdpbusd (pays from n = 64: docs/simd.md)
                : Avx2.IsSupported && n >= 16 ? &DotLeaf.Dot4Avx2         // x64 AVX2 vpmaddwd (pays from n = 16)
                : Sse41.IsSupported ? &DotLeaf.Dot4Sse41                  // x64 SSE4.1 pmaddwd
                : Vector128.IsHardwareAccelerated ? &DotLeaf.Dot4Vector128 // other Vector128 hardware
                : null;
            delegate*<sbyte*, sbyte*, int, int, int> dot =
                Dp.IsSupported ? &DotLeaf.DotSdot : AdvSimd.Arm64.IsSupported ? &DotLeaf.DotSmull : &DotLeaf.DotVector128;
            int outDepth = p.OutputDepth;
            if (dot4 == null || p.FilterOffset != 0 || !DotLeaf.OffsetSupported(p.InputOffset) || outDepth > MaxChannels)
            {
                Reference.FullyConnected.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }

            int depth = p.AccumDepth, inputOffset = p.InputOffset;
            int* table = stackalloc int[Requant.TableInts(outDepth)];
            Requant.Build(table, outDepth, bias, biasStart, quant, multiplierStart, shiftStart, p.RequantStride);
            Vector128<int> outOff = Vector128.Create(p.OutputOffset), min = Vector128.Create(p.ActivationMin), max = Vector128.Create(p.ActivationMax);
            if (p.Batches > 0 && outDepth > 0)
            fixed (byte* inBytes = input, filterBytes = filter, outBytes = output)
            {
                sbyte* flt = (sbyte*)filterBytes + filterStart;
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* x = (sbyte*)inBytes + inputStart + b * depth;
                    byte* o = outBytes + outputStart + b * outDepth;
                    int oc = 0;
                    for (; oc + 4 <= outDepth; oc += 4)
                        Requant.Store(Requant.Apply(dot4(x, flt + oc * depth, depth, depth, inputOffset), table + oc / 4 * Requant.IntsPerBlock, outOff, min, max), o + oc, 4);
                    if (oc < outDepth)
                    {
                        int rem = outDepth - oc;
                        sbyte* f = flt + oc * depth;
                        Vector128<int> s = Vector128.Create(dot(x, f, depth, inputOffset),
                            rem > 1 ? dot(x, f + depth, depth, inputOffset) : 0, rem > 2 ? dot(x, f + 2 * depth, depth, inputOffset) : 0, 0);
                        Requant.Store(Requant.Apply(s, table + oc / 4 * Requant.IntsPerBlock, outOff, min, max), o + oc, outDepth - oc);
                    }
                }
            }
        }
    }
}
