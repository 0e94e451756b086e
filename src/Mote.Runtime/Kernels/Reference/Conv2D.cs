
namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// CONV_2D, int8 activations, int8 per-channel weights, int32 bias.
    /// Follows TFLM reference_integer_ops::ConvPerChannel (conv.h).
    /// </summary>
    public static class Conv2D
    {
        /// <summary>
        /// Shapes: input int8 [N, H, W, Cin]; filter int8 [Cout, KH, KW, Cin];
        /// bias int32 LE [Cout] at biasStart, or biasStart &lt; 0 for no bias;
        /// quant holds int32 LE multiplier[Cout] at multiplierStart and int32 LE
        /// shift[Cout] at shiftStart (shift &gt; 0 = left shift, TFLM per-channel
        /// convention) — or one entry each when p.RequantStride is 0 (per-tensor);
        /// output int8 [N, OH, OW, Cout].
        ///
        /// For every output (b, oy, ox, oc):
        ///  1. The window origin is (oy * StrideHeight - PadTop, ox * StrideWidth - PadLeft);
        ///     tap (ky, kx) reads input row origin + ky * DilationHeight, column
        ///     origin + kx * DilationWidth.
        ///  2. Taps outside the image are skipped (TFLM's zero padding: equivalent
        ///     to padding with the input zero point).
        ///  3. acc (int32, wrapping) += filter * (input + InputOffset) over the taps
        ///     and all Cin input channels; then acc += bias[oc] if there is a bias.
        ///  4. acc = MultiplyByQuantizedMultiplier(acc, multiplier[q], shift[q]) with
        ///     q = oc * RequantStride (oc, or 0 for a shared entry)
        ///     (double rounding), acc += OutputOffset, clamp to
        ///     [ActivationMin, ActivationMax], store as int8.
        /// Grouped convolution (filter depth smaller than Cin) is not supported:
        /// the filter depth is Cin.
        /// </summary>
        public static void Eval(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            int inH = p.InputHeight;
            int inW = p.InputWidth;
            int inC = p.InputChannels;
            int kH = p.FilterHeight;
            int kW = p.FilterWidth;
            int outH = p.OutputHeight;
            int outW = p.OutputWidth;
            int outC = p.OutputChannels;
            int inputOffset = p.InputOffset;
            int quantStride = p.RequantStride;

            int o = outputStart;
            for (int b = 0; b < p.Batches; b++)
            {
                int batchBase = inputStart + b * inH * inW * inC;
                for (int oy = 0; oy < outH; oy++)
                {
                    int inYOrigin = oy * p.StrideHeight - p.PadTop;
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int inXOrigin = ox * p.StrideWidth - p.PadLeft;
                        for (int oc = 0; oc < outC; oc++)
                        {
                            int acc = 0;
                            int filterChannelBase = filterStart + oc * kH * kW * inC;
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
                                    int inIndex = batchBase + (inY * inW + inX) * inC;
                                    int fIndex = filterChannelBase + (ky * kW + kx) * inC;
                                    for (int ic = 0; ic < inC; ic++)
                                    {
                                        int inputVal = (sbyte)input[inIndex + ic];
                                        int filterVal = (sbyte)filter[fIndex + ic];
                                        acc = unchecked(acc + filterVal * (inputVal + inputOffset));
                                    }
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
