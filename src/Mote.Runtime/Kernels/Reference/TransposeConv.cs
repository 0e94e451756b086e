using Mote.Runtime.Format;

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// TRANSPOSE_CONV, int8 (int32 bias) and 16x8 (int16 activations, int8 weights, int64 or int16
    /// bias). Gives the bits of TFLM reference_integer_ops::TransposeConv (transpose_conv.h) without
    /// its scratch buffer.
    /// </summary>
    /// <remarks>
    /// TFLM scatters: for every input element and filter tap it adds
    /// (input + InputOffset) * filter into an int32 (int8) or int64 (16x8) scratch accumulator of the
    /// output's size, then adds the bias and requantizes each accumulator. This kernel gathers
    /// instead: each output element sums the same products (those whose tap lands on it) in a
    /// local accumulator, so it needs no scratch memory and Invoke allocates nothing. The sums are
    /// equal bit for bit: two's-complement addition is associative and commutative modulo 2^32
    /// (2^64), so the order of the additions cannot change a wrapping int32 (int64) sum.
    /// </remarks>
    public static class TransposeConv
    {
        /// <summary>
        /// Shapes: input [N, H, W, Cin] (int8, or int16 LE when p.ActivationType is Int16);
        /// filter int8 [Cout, KH, KW, Cin]; bias [Cout] at biasStart (&lt; 0: none) of p.BiasType
        /// (int32 LE for int8; int64 LE or int16 LE for 16x8); quant holds per-channel int32 LE
        /// multiplier and shift tables; output [N, OH, OW, Cout] of the input's type.
        ///
        /// Input (iy, ix) with tap (ky, kx) contributes to output (iy * StrideHeight - PadTop + ky,
        /// ix * StrideWidth - PadLeft + kx) when that lies inside the output. For every output
        /// (b, oy, ox, oc):
        ///  1. acc = sum over those contributions and all Cin channels of
        ///     (input + InputOffset) * filter  (int8: wrapping int32; 16x8: int64, no zero points).
        ///  2. acc += bias[oc] when present (int8: int32 wrapping; 16x8: the bias widened to int64).
        ///  3. int8: MultiplyByQuantizedMultiplier (double rounding), + OutputOffset;
        ///     16x8: the 64-bit MultiplyByQuantizedMultiplier.
        ///  4. Clamp to [ActivationMin, ActivationMax], store.
        /// </summary>
        public static void Eval(TransposeConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
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
            int strideH = p.StrideHeight, strideW = p.StrideWidth;
            bool wide = p.ActivationType == DataType.Int16;
            int esize = wide ? 2 : 1;
            int inputOffset = wide ? 0 : p.InputOffset;
            bool hasBias = biasStart >= 0;

            int o = outputStart;
            for (int b = 0; b < p.Batches; b++)
            {
                int batchBase = inputStart + esize * b * inH * inW * inC;
                for (int oy = 0; oy < outH; oy++)
                {
                    for (int ox = 0; ox < outW; ox++)
                    {
                        for (int oc = 0; oc < outC; oc++)
                        {
                            // Summed in int64: it cannot wrap (each product is below 2^23), and for
                            // int8 its low 32 bits are TFLM's wrapping int32 accumulator.
                            long acc = 0;
                            int filterChannelBase = filterStart + oc * kH * kW * inC;
                            for (int ky = 0; ky < kH; ky++)
                            {
                                // The input row whose tap ky lands on output row oy, if any.
                                int ty = oy + p.PadTop - ky;
                                if (ty < 0) break; // ty only decreases with ky
                                int iy = ty / strideH;
                                if (iy * strideH != ty || iy >= inH) continue;
                                for (int kx = 0; kx < kW; kx++)
                                {
                                    int tx = ox + p.PadLeft - kx;
                                    if (tx < 0) break;
                                    int ix = tx / strideW;
                                    if (ix * strideW != tx || ix >= inW) continue;
                                    int inIndex = batchBase + esize * (iy * inW + ix) * inC;
                                    int fIndex = filterChannelBase + (ky * kW + kx) * inC;
                                    if (wide)
                                    {
                                        for (int ic = 0; ic < inC; ic++)
                                        {
                                            int inputVal = (short)(input[inIndex + 2 * ic] | (input[inIndex + 2 * ic + 1] << 8));
                                            acc += (sbyte)filter[fIndex + ic] * inputVal;
                                        }
                                    }
                                    else
                                    {
                                        for (int ic = 0; ic < inC; ic++)
                                            acc += (sbyte)filter[fIndex + ic] * ((sbyte)input[inIndex + ic] + inputOffset);
                                    }
                                }
                            }
                            int multiplier = LittleEndian.ReadInt32(quant, multiplierStart + 4 * oc);
                            int shift = LittleEndian.ReadInt32(quant, shiftStart + 4 * oc);
                            int scaled;
                            if (wide)
                            {
                                if (hasBias)
                                {
                                    long bv = p.BiasType == DataType.Int16
                                        ? LittleEndian.ReadInt16(bias, biasStart + 2 * oc)
                                        : Conv2D16x8.ReadInt64(bias, biasStart + 8 * oc);
                                    acc = unchecked(acc + bv);
                                }
                                scaled = FixedPoint.MultiplyByQuantizedMultiplier(acc, multiplier, shift);
                            }
                            else
                            {
                                int acc32 = unchecked((int)acc);
                                if (hasBias) acc32 = unchecked(acc32 + LittleEndian.ReadInt32(bias, biasStart + 4 * oc));
                                scaled = FixedPoint.MultiplyByQuantizedMultiplier(acc32, multiplier, shift) + p.OutputOffset;
                            }
                            if (scaled < p.ActivationMin) scaled = p.ActivationMin;
                            if (scaled > p.ActivationMax) scaled = p.ActivationMax;
                            output[o] = (byte)scaled;
                            if (wide) output[o + 1] = (byte)(scaled >> 8);
                            o += esize;
                        }
                    }
                }
            }
        }
    }
}
