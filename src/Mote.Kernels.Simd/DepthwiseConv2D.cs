using System.Runtime.Intrinsics;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// DEPTHWISE_CONV_2D, bit-exact with <see cref="Reference.DepthwiseConv2D"/> (same name, signature
    /// and contract: input int8 [N, H, W, C], filter int8 [1, KH, KW, C · DepthMultiplier]).
    /// Vectorized across channels: per output pixel, int32 accumulators for all channels (on the
    /// stack, 4 · C bytes) take every in-image tap with <see cref="DotLeaf.MacChannelsVector128"/>,
    /// then the reference's per-channel requantization. DepthMultiplier ≠ 1 and more than
    /// <see cref="MaxChannels"/> channels run the reference kernel.
    /// </summary>
    public static unsafe class DepthwiseConv2D
    {
        /// <summary>Largest channel count with a SIMD path (stack scratch 4 · MaxChannels bytes).</summary>
        public const int MaxChannels = 4096;

        public static void Eval(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here (no AdvSimd/SDOT variant yet: the portable
            // Vector128 leaf is what ARM64 runs too).
            delegate*<int*, sbyte*, sbyte*, int, int, void> mac =
                Vector128.IsHardwareAccelerated ? &DotLeaf.MacChannelsVector128 : null;
            int inC = p.InputChannels;
            if (mac == null || p.DepthMultiplier != 1 || inC > MaxChannels || !DotLeaf.OffsetSupported(p.InputOffset))
            {
                Reference.DepthwiseConv2D.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }

            int inH = p.InputHeight, inW = p.InputWidth, kH = p.FilterHeight, kW = p.FilterWidth;
            int inputOffset = p.InputOffset, quantStride = p.RequantStride;
            int* acc = stackalloc int[inC];
            fixed (byte* inBytes = input, filterBytes = filter)
            {
                sbyte* flt = (sbyte*)filterBytes + filterStart;
                int o = outputStart;
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* batch = (sbyte*)inBytes + inputStart + b * inH * inW * inC;
                    for (int oy = 0; oy < p.OutputHeight; oy++)
                    {
                        int inYOrigin = oy * p.StrideHeight - p.PadTop;
                        for (int ox = 0; ox < p.OutputWidth; ox++)
                        {
                            int inXOrigin = ox * p.StrideWidth - p.PadLeft;
                            for (int c = 0; c < inC; c++) acc[c] = 0;
                            for (int ky = 0; ky < kH; ky++)
                            {
                                int inY = inYOrigin + p.DilationHeight * ky;
                                if (inY < 0 || inY >= inH) continue; // tap outside the image: skipped
                                for (int kx = 0; kx < kW; kx++)
                                {
                                    int inX = inXOrigin + p.DilationWidth * kx;
                                    if (inX < 0 || inX >= inW) continue;
                                    mac(acc, batch + (inY * inW + inX) * inC, flt + (ky * kW + kx) * inC, inC, inputOffset);
                                }
                            }
                            for (int c = 0; c < inC; c++)
                                output[o++] = (byte)(sbyte)FixedPoint.RequantizeChannel(acc[c], bias, biasStart, quant, multiplierStart, shiftStart, c, c * quantStride,
                                    p.OutputOffset, p.ActivationMin, p.ActivationMax);
                        }
                    }
                }
            }
        }
    }
}
