namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// MEAN, int8, over any set of axes. Follows TFLM reference_ops::QuantizedMeanOrSum
    /// (reference/reduce.h) with compute_sum false. The sum is exact in int32 (wrapping, as
    /// TFLM's), so summing each output's elements in a different order than TFLM gives the
    /// same bits; no scratch buffer is needed.
    /// </summary>
    public static class Mean
    {
        /// <summary>
        /// For each output element o (row-major over the kept dimensions):
        ///  1. sum = sum over the ReducedCount input elements that share o's kept coordinates of
        ///     (x + InputOffset), int32 wrapping;
        ///  2. out = MultiplyByQuantizedMultiplier(sum, OutputMultiplier, OutputShift) + OutputOffset,
        ///     clamped to [-128, 127] (the multiplier includes 1 / ReducedCount, see the packer).
        /// </summary>
        public static void Eval(MeanParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            int[] ke = p.KeptExtents, ks = p.KeptStrides, re = p.ReducedExtents, rs = p.ReducedStrides;
            for (int o = 0; o < p.OutputCount; o++)
            {
                // Input offset of o's kept coordinates (decode o, last kept dimension fastest).
                int baseOffset = inputStart;
                int rest = o;
                for (int k = ke.Length - 1; k >= 0; k--)
                {
                    baseOffset += (rest % ke[k]) * ks[k];
                    rest /= ke[k];
                }
                int sum = 0;
                for (int r = 0; r < p.ReducedCount; r++)
                {
                    int offset = baseOffset;
                    int rr = r;
                    for (int k = re.Length - 1; k >= 0; k--)
                    {
                        offset += (rr % re[k]) * rs[k];
                        rr /= re[k];
                    }
                    sum = unchecked(sum + (sbyte)input[offset] + p.InputOffset);
                }
                int v = unchecked(FixedPoint.MultiplyByQuantizedMultiplier(sum, p.OutputMultiplier, p.OutputShift) + p.OutputOffset);
                if (v < -128) v = -128;
                if (v > 127) v = 127;
                output[outputStart + o] = (byte)(sbyte)v;
            }
        }
    }
}
