using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

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
        public static void Eval(FullyConnectedParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here.
            delegate*<sbyte*, sbyte*, int, int, int> dot =
                Dp.IsSupported ? &DotLeaf.DotSdot                        // ARMv8.2 dotprod (Pi 5)
                : AdvSimd.Arm64.IsSupported ? &DotLeaf.DotSmull          // ARMv8.0 NEON (Pi 4)
                : Vector128.IsHardwareAccelerated ? &DotLeaf.DotVector128 // x64 SSE/AVX, any ARM64
                : null;
            if (dot == null || p.FilterOffset != 0 || !DotLeaf.OffsetSupported(p.InputOffset))
            {
                Reference.FullyConnected.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }

            int depth = p.AccumDepth, outDepth = p.OutputDepth, inputOffset = p.InputOffset, quantStride = p.RequantStride;
            fixed (byte* inBytes = input, filterBytes = filter)
            {
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* x = (sbyte*)inBytes + inputStart + b * depth;
                    int o = outputStart + b * outDepth;
                    for (int oc = 0; oc < outDepth; oc++)
                    {
                        int acc = dot(x, (sbyte*)filterBytes + filterStart + oc * depth, depth, inputOffset);
                        acc = FixedPoint.RequantizeChannel(acc, bias, biasStart, quant, multiplierStart, shiftStart, oc, oc * quantStride,
                            p.OutputOffset, p.ActivationMin, p.ActivationMax);
                        output[o + oc] = (byte)(sbyte)acc;
                    }
                }
            }
        }
    }
}
