
namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// DEPTHWISE_CONV_2D, int8 activations, int8 per-channel weights, int32 bias.
    /// Follows TFLM reference_integer_ops::DepthwiseConvPerChannel (depthwise_conv.h).
    /// </summary>
    public static class DepthwiseConv2D
    {
        /// <summary>
        /// Shapes: input int8 [N, H, W, Cin]; filter int8 [1, KH, KW, Cout] with
        /// Cout = Cin * DepthMultiplier; bias int32 LE [Cout] at biasStart, or
        /// biasStart &lt; 0 for no bias; quant holds int32 LE multiplier[Cout] at
        /// multiplierStart and int32 LE shift[Cout] at shiftStart (shift &gt; 0 = left
        /// shift) — or one entry each when p.RequantStride is 0 (per-tensor);
        /// output int8 [N, OH, OW, Cout].
        ///
        /// For every output (b, oy, ox, ic, m), oc = ic * DepthMultiplier + m:
        ///  1. The window origin is (oy * StrideHeight - PadTop, ox * StrideWidth - PadLeft);
        ///     tap (ky, kx) reads input (origin + dilation * k) of channel ic only.
        ///  2. Taps outside the image are skipped (TFLM's zero padding).
        ///  3. acc (int32, wrapping) += filter[ky, kx, oc] * (input + InputOffset);
        ///     then acc += bias[oc] if there is a bias.
        ///  4. acc = MultiplyByQuantizedMultiplier(acc, multiplier[q], shift[q]) with
        ///     q = oc * RequantStride (oc, or 0 for a shared entry)
        ///     (double rounding), acc += OutputOffset, clamp to
        ///     [ActivationMin, ActivationMax], store as int8.
        /// Output channels are written in order oc = 0..Cout-1 (TFLM's loop order
        /// ic outer, m inner gives the same order).
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
            int inputOffset = p.InputOffset;
            int quantStride = p.RequantStride;

            int o = outputStart;
            for (int b = 0; b < p.Batches; b++)
            {
                int batchBase = inputStart + b * inH * inW * inC;
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
                                int acc = 0;
                                for (int ky = 0; ky < kH; ky++)
                                {
                                    int inY = inYOrigin + p.DilationHeight * ky;
                                    if (inY < 0 || inY >= inH)
                                    {
                                        continue; // tap outside the image: skipped
                                    }
                                    for (int kx = 0; kx < kW; kx++)
                                    {
                                        int inX = inXOrigin + p.DilationWidth * kx;
                                        if (inX < 0 || inX >= inW)
                                        {
                                            continue; // tap outside the image: skipped
                                        }
                                        int inputVal = (sbyte)input[batchBase + (inY * inW + inX) * inC + ic];
                                        int filterVal = (sbyte)filter[filterStart + (ky * kW + kx) * outC + oc];
                                        acc = unchecked(acc + filterVal * (inputVal + inputOffset));
                                    }
                                }
                                acc = FixedPoint.RequantizeChannel(acc, bias, biasStart, quant, multiplierStart, shiftStart, oc, oc * quantStride,
                                    p.OutputOffset, p.ActivationMin, p.ActivationMax);
                                output[o++] = (byte)(sbyte)acc;
                            }
                        }
                    }
                }
            }
        }
    }
}
