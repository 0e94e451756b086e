using Mote.Runtime.Format;

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// FULLY_CONNECTED "16x8": int16 activations, int8 weights (per tensor or per output channel),
    /// int64 (or int32) bias. Follows TFLM fully_connected.cc's int16 case:
    /// reference_integer_ops::FullyConnected / FullyConnectedPerChannel with AccumScalar int64
    /// unless the bias is int32.
    /// </summary>
    public static class FullyConnected16x8
    {
        /// <summary>
        /// Shapes: input int16 LE [Batches, AccumDepth]; filter int8 [OutputDepth, AccumDepth];
        /// bias at biasStart (biasStart &lt; 0: none) of p.BiasType, int64 LE or int32 LE [OutputDepth];
        /// quant holds int32 LE multiplier and shift tables (entry o * p.RequantStride);
        /// output int16 LE [Batches, OutputDepth].
        ///
        /// For every (b, o):
        ///  1. acc = sum over d of filter[o, d] * input[b, d]. The zero points of int16
        ///     activations and int8 weights are 0 (checked at load), so TFLM's offsets add nothing.
        ///     acc is int64 (bias int64 or absent) or a wrapping int32 (bias int32).
        ///  2. acc += bias[o] when present.
        ///  3. int64 acc: the 64-bit MultiplyByQuantizedMultiplier (multiplier reduced to Q0.15,
        ///     one rounding shift); int32 acc: the usual double-rounding one.
        ///  4. Clamp to [ActivationMin, ActivationMax] (inside int16), store.
        /// </summary>
        public static void Eval(FullyConnectedParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            int depth = p.AccumDepth;
            int outDepth = p.OutputDepth;
            int quantStride = p.RequantStride;
            bool wide = p.BiasType != DataType.Int32;
            bool hasBias = biasStart >= 0;
            int o = outputStart;
            for (int b = 0; b < p.Batches; b++)
            {
                int inBase = inputStart + 2 * b * depth;
                for (int oc = 0; oc < outDepth; oc++)
                {
                    int fBase = filterStart + oc * depth;
                    // Summed in int64: a product is below 2^22 in magnitude; the low 32 bits are
                    // TFLM's wrapping int32 accumulator when the bias is int32.
                    long acc = 0;
                    for (int d = 0; d < depth; d++)
                    {
                        int inputVal = (short)(input[inBase + 2 * d] | (input[inBase + 2 * d + 1] << 8));
                        acc += (sbyte)filter[fBase + d] * inputVal;
                    }
                    int q = oc * quantStride;
                    int multiplier = LittleEndian.ReadInt32(quant, multiplierStart + 4 * q);
                    int shift = LittleEndian.ReadInt32(quant, shiftStart + 4 * q);
                    int scaled;
                    if (wide)
                    {
                        if (hasBias) acc = unchecked(acc + Conv2D16x8.ReadInt64(bias, biasStart + 8 * oc));
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
