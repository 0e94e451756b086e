using Mote.Runtime.Format;

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// DEPTHWISE_CONV_2D "16x8": int16 activations, int8 per-channel weights, int64 bias.
    /// Follows TFLM reference_integer_ops::DepthwiseConvPerChannel's int16 overload (depthwise_conv.h),
    /// which always accumulates in int64 and reads the bias as int64.
    /// </summary>
    public static class DepthwiseConv2D16x8
    {
        /// <summary>
        /// Shapes: input int16 LE [N, H, W, Cin]; filter int8 [1, KH, KW, Cout], Cout = Cin * DepthMultiplier;
        /// bias int64 LE [Cout] at biasStart (biasStart &lt; 0: none); quant holds int32 LE multiplier and
        /// shift tables (entry oc * p.RequantStride); output int16 LE [N, OH, OW, Cout].
        ///
        /// For every output (b, oy, ox, ic, m), oc = ic * DepthMultiplier + m:
        ///  1. Window, dilation and padding exactly as <see cref="DepthwiseConv2D"/> (taps outside skipped).
        ///  2. acc (int64) += filter[ky, kx, oc] * input[.., ic]; no zero points (they are 0).
        ///  3. acc += bias[oc] when present.
        ///  4. The 64-bit MultiplyByQuantizedMultiplier, clamp to [ActivationMin, ActivationMax], store.
        /// </summary>
        public static void Eval(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            int inH = p.InputHeight;
            int inW = p.InputWidth;
            int inC = p.InputChannels;
            int kW = p.FilterWidth;
            int kH = p.FilterHeight;
            int outC = p.OutputChannels;
            int depthMultiplier = p.DepthMultiplier;
            int quantStride = p.RequantStride;
            bool hasBias = biasStart >= 0;

            int o = outputStart;
            for (int b = 0; b < p.Batches; b++)
            {
                int batchBase = inputStart + 2 * b * inH * inW * inC;
                for (int oy = 0; oy < p.OutputHeight; oy++)
                {
                    int inYOrigin = oy * p.StrideHeight - p.PadTop;
                    for (int ox = 0; ox < p.OutputWidth; ox++)
                    {
                        int inXOrigin = ox * p.StrideWidth - p.PadLeft;
                        for (int ic = 0; ic < inC; ic++)
                        {
                            for (int m = 0; m < depthMultiplier; m++)
                            {
                                int oc = ic * depthMultiplier + m;
                                long acc = 0;
                                for (int ky = 0; ky < kH; ky++)
                                {
                                    int inY = inYOrigin + p.DilationHeight * ky;
                                    if (inY < 0 || inY >= inH) continue; // tap outside the image: skipped
                                    for (int kx = 0; kx < kW; kx++)
                                    {
                                        int inX = inXOrigin + p.DilationWidth * kx;
                                        if (inX < 0 || inX >= inW) continue;
                                        int at = batchBase + 2 * ((inY * inW + inX) * inC + ic);
                                        int inputVal = (short)(input[at] | (input[at + 1] << 8));
                                        acc += (sbyte)filter[filterStart + (ky * kW + kx) * outC + oc] * inputVal;
                                    }
                                }
                                if (hasBias) acc = unchecked(acc + Conv2D16x8.ReadInt64(bias, biasStart + 8 * oc));
                                int q = oc * quantStride;
                                int scaled = FixedPoint.MultiplyByQuantizedMultiplier(acc,
                                    LittleEndian.ReadInt32(quant, multiplierStart + 4 * q), LittleEndian.ReadInt32(quant, shiftStart + 4 * q));
                                if (scaled < p.ActivationMin) scaled = p.ActivationMin;
                                if (scaled > p.ActivationMax) scaled = p.ActivationMax;
                                output[o] = (byte)scaled;
                                output[o + 1] = (byte)(scaled >> 8);
                                o += 2;
                            }
                        }
                    }
                }
            }
        }
    }
}
