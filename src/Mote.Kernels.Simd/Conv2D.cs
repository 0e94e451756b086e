using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// CONV_2D, bit-exact with <see cref="Reference.Conv2D"/> (same name, signature and contract:
    /// input int8 [N, H, W, Cin], filter int8 [Cout, KH, KW, Cin], output int8 [N, OH, OW, Cout]).
    /// Per output value the accumulation runs as dot products over contiguous spans:
    /// 1x1 without padding (pointwise fast path) is one dot of Cin per output; otherwise, per
    /// in-image filter row, the in-image taps of that row are one contiguous span of
    /// (taps · Cin) bytes in input and filter when DilationWidth is 1, else one dot of Cin per tap.
    /// Requantization is the reference's scalar per-channel step (bit-exact by construction).
    /// </summary>
    public static unsafe class Conv2D
    {
        public static void Eval(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here.
            delegate*<sbyte*, sbyte*, int, int, int> dot =
                Dp.IsSupported ? &DotLeaf.DotSdot                        // ARMv8.2 dotprod (Pi 5)
                : AdvSimd.Arm64.IsSupported ? &DotLeaf.DotSmull          // ARMv8.0 NEON (Pi 4)
                : Vector128.IsHardwareAccelerated ? &DotLeaf.DotVector128 // x64 SSE/AVX, any ARM64
                : null;
            if (dot == null || !DotLeaf.OffsetSupported(p.InputOffset))
            {
                Reference.Conv2D.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);
                return;
            }

            int inH = p.InputHeight, inW = p.InputWidth, inC = p.InputChannels;
            int kH = p.FilterHeight, kW = p.FilterWidth;
            int outH = p.OutputHeight, outW = p.OutputWidth, outC = p.OutputChannels;
            int dH = p.DilationHeight, dW = p.DilationWidth;
            int inputOffset = p.InputOffset, quantStride = p.RequantStride;
            int filterSize = kH * kW * inC;
            bool pointwise = kH == 1 && kW == 1 && p.PadTop == 0 && p.PadLeft == 0;

            fixed (byte* inBytes = input, filterBytes = filter)
            {
                sbyte* flt = (sbyte*)filterBytes + filterStart;
                int o = outputStart;
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* batch = (sbyte*)inBytes + inputStart + b * inH * inW * inC;
                    for (int oy = 0; oy < outH; oy++)
                    {
                        int inYOrigin = oy * p.StrideHeight - p.PadTop;
                        for (int ox = 0; ox < outW; ox++)
                        {
                            int inXOrigin = ox * p.StrideWidth - p.PadLeft;
                            if (pointwise)
                            {
                                // 1x1, stride any, no padding: the tap is in the image when the pixel is.
                                bool inside = inYOrigin < inH && inXOrigin < inW;
                                sbyte* px = batch + (inYOrigin * inW + inXOrigin) * inC;
                                for (int oc = 0; oc < outC; oc++)
                                {
                                    int acc = inside ? dot(px, flt + oc * inC, inC, inputOffset) : 0;
                                    output[o++] = Requantize(acc, bias, biasStart, quant, multiplierStart, shiftStart, oc, quantStride, p);
                                }
                                continue;
                            }
                            // In-image taps of a filter row form the range [kx0, kx1) (monotonic in kx).
                            int kx0 = 0, kx1 = kW;
                            while (kx0 < kW && inXOrigin + dW * kx0 < 0) kx0++;
                            while (kx1 > kx0 && inXOrigin + dW * (kx1 - 1) >= inW) kx1--;
                            for (int oc = 0; oc < outC; oc++)
                            {
                                sbyte* f = flt + oc * filterSize;
                                int acc = 0;
                                if (kx1 > kx0)
                                {
                                    for (int ky = 0; ky < kH; ky++)
                                    {
                                        int inY = inYOrigin + dH * ky;
                                        if (inY < 0 || inY >= inH) continue; // tap outside the image: skipped
                                        sbyte* row = batch + inY * inW * inC;
                                        if (dW == 1)
                                        {
                                            acc += dot(row + (inXOrigin + kx0) * inC, f + (ky * kW + kx0) * inC, (kx1 - kx0) * inC, inputOffset);
                                        }
                                        else
                                        {
                                            for (int kx = kx0; kx < kx1; kx++)
                                                acc += dot(row + (inXOrigin + dW * kx) * inC, f + (ky * kW + kx) * inC, inC, inputOffset);
                                        }
                                    }
                                }
                                output[o++] = Requantize(acc, bias, biasStart, quant, multiplierStart, shiftStart, oc, quantStride, p);
                            }
                        }
                    }
                }
            }
        }

        static byte Requantize(int acc, byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, int oc, int quantStride, ConvParams p)
        {
            return (byte)(sbyte)FixedPoint.RequantizeChannel(acc, bias, biasStart, quant, multiplierStart, shiftStart, oc, oc * quantStride,
                p.OutputOffset, p.ActivationMin, p.ActivationMax);
        }
    }
}
