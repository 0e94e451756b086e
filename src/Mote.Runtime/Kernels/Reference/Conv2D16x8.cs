using Mote.Runtime.Format;

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// CONV_2D "16x8": int16 activations, int8 per-channel weights, int64 (or int32) bias.
    /// Follows TFLM reference_integer_ops::ConvPerChannel's int16 overload (conv.h), which
    /// TFLM's conv.cc calls with AccumScalar = int64 unless the bias is int32.
    /// </summary>
    public static class Conv2D16x8
    {
        /// <summary>
        /// Shapes: input int16 LE [N, H, W, Cin]; filter int8 [Cout, KH, KW, Cin];
        /// bias at biasStart (biasStart &lt; 0: none) of p.BiasType: int64 LE or int32 LE [Cout];
        /// quant holds int32 LE multiplier and shift tables (entry oc * p.RequantStride);
        /// output int16 LE [N, OH, OW, Cout].
        ///
        /// For every output (b, oy, ox, oc):
        ///  1. Window and padding exactly as <see cref="Conv2D"/> (taps outside the image skipped).
        ///  2. acc += filter * input over the taps and all Cin channels. TFLM applies no zero
        ///     points here (int16 zero points are 0; p.InputOffset and OutputOffset are unused).
        ///     acc is int64 (p.BiasType Int64 or no bias) or int32, wrapping (p.BiasType Int32).
        ///  3. acc += bias[oc] (when present).
        ///  4. int64 acc: the 64-bit MultiplyByQuantizedMultiplier (multiplier reduced to Q0.15,
        ///     one rounding shift); int32 acc: the usual double-rounding one.
        ///  5. Clamp to [ActivationMin, ActivationMax] (inside the int16 range), store.
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
            int quantStride = p.RequantStride;
            bool wide = p.BiasType != DataType.Int32;
            bool hasBias = biasStart >= 0;

            int o = outputStart;
            for (int b = 0; b < p.Batches; b++)
            {
                int batchBase = inputStart + 2 * b * inH * inW * inC;
                for (int oy = 0; oy < outH; oy++)
                {
                    int inYOrigin = oy * p.StrideHeight - p.PadTop;
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int inXOrigin = ox * p.StrideWidth - p.PadLeft;
                        for (int oc = 0; oc < outC; oc++)
                        {
                            // Summed in int64 either way: a product is below 2^22 in magnitude, so
                            // this never wraps, and its low 32 bits are exactly TFLM's wrapping
                            // int32 accumulator when the bias is int32.
                            long acc = 0;
                            int filterChannelBase = filterStart + oc * kH * kW * inC;
                            for (int ky = 0; ky < kH; ky++)
                            {
                                int inY = inYOrigin + p.DilationHeight * ky;
                                if (inY < 0 || inY >= inH) continue; // tap outside the image: skipped
                                for (int kx = 0; kx < kW; kx++)
                                {
                                    int inX = inXOrigin + p.DilationWidth * kx;
                                    if (inX < 0 || inX >= inW) continue;
                                    int inIndex = batchBase + 2 * (inY * inW + inX) * inC;
                                    int fIndex = filterChannelBase + (ky * kW + kx) * inC;
                                    for (int ic = 0; ic < inC; ic++)
                                    {
                                        int inputVal = (short)(input[inIndex + 2 * ic] | (input[inIndex + 2 * ic + 1] << 8));
                                        acc += (sbyte)filter[fIndex + ic] * inputVal;
                                    }
                                }
                            }
                            int q = oc * quantStride;
                            int multiplier = LittleEndian.ReadInt32(quant, multiplierStart + 4 * q);
                            int shift = LittleEndian.ReadInt32(quant, shiftStart + 4 * q);
                            int scaled;
                            if (wide)
                            {
                                if (hasBias) acc = unchecked(acc + ReadInt64(bias, biasStart + 8 * oc));
                                scaled = FixedPoint.MultiplyByQuantizedMultiplier(acc, multiplier, shift);
                            }
                            else
                            {
                                int acc32 = unchecked((int)acc);
                                if (hasBias) acc32 = unchecked(acc32 + LittleEndian.ReadInt32(bias, biasStart + 4 * oc));
                                scaled = FixedPoint.MultiplyByQuantizedMultiplier(acc32, multiplier, shift);
                            }
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

        /// <summary>An int64 stored little-endian at <paramref name="o"/>.</summary>
        internal static long ReadInt64(byte[] b, int o)
        {
            uint lo = (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
            uint hi = (uint)(b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24));
            return (long)(((ulong)hi << 32) | lo);
        }
    }
}
