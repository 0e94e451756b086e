namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// MUL, int8. Follows TFLM reference_integer_ops::MulElementwise (integer_ops/mul.h) and,
    /// when shapes differ, BroadcastMul4DSlow (whose element operation is the same).
    /// </summary>
    public static class Mul
    {
        /// <summary>
        /// Without broadcast, the three tensors have FlatSize elements each and element i is
        /// computed from input1[i] and input2[i]. With p.Broadcast, the 4-D shapes are used:
        /// an input dimension of size 1 is read at index 0 for every output index along it
        /// (NumPy broadcasting). Output is written in row-major order.
        /// </summary>
        public static void Eval(MulParams p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            if (!p.Broadcast)
            {
                for (int i = 0; i < p.FlatSize; i++)
                {
                    output[outputStart + i] = (byte)(sbyte)MulOne(p, (sbyte)input1[input1Start + i], (sbyte)input2[input2Start + i]);
                }
                return;
            }

            int[] so = p.OutputShape;
            Broadcast4D.Strides(p.Input1Shape, out int st1D0, out int st1D1, out int st1D2, out int st1D3);
            Broadcast4D.Strides(p.Input2Shape, out int st2D0, out int st2D1, out int st2D2, out int st2D3);

            int o = outputStart;
            for (int d0 = 0; d0 < so[0]; d0++)
            {
                for (int d1 = 0; d1 < so[1]; d1++)
                {
                    for (int d2 = 0; d2 < so[2]; d2++)
                    {
                        int i1 = input1Start + d0 * st1D0 + d1 * st1D1 + d2 * st1D2;
                        int i2 = input2Start + d0 * st2D0 + d1 * st2D1 + d2 * st2D2;
                        for (int d3 = 0; d3 < so[3]; d3++)
                        {
                            int v = MulOne(p, (sbyte)input1[i1 + d3 * st1D3], (sbyte)input2[i2 + d3 * st2D3]);
                            output[o++] = (byte)(sbyte)v;
                        }
                    }
                }
            }
        }

        /// <summary>
        /// One element, TFLM MulElementwise:
        ///  1. v1 = x1 + Input1Offset, v2 = x2 + Input2Offset (minus the input zero points),
        ///     each in [-255, 255];
        ///  2. product = v1 * v2 (int32, at most 65025 in magnitude);
        ///  3. out = MultiplyByQuantizedMultiplier(product, OutputMultiplier, OutputShift)
        ///     + OutputOffset (the multiplier is in1_scale * in2_scale / out_scale);
        ///  4. clamp to [ActivationMin, ActivationMax].
        /// </summary>
        internal static int MulOne(MulParams p, int x1, int x2)
        {
            int product = (p.Input1Offset + x1) * (p.Input2Offset + x2);
            int v = unchecked(p.OutputOffset + FixedPoint.MultiplyByQuantizedMultiplier(product, p.OutputMultiplier, p.OutputShift));
            if (v < p.ActivationMin) v = p.ActivationMin;
            if (v > p.ActivationMax) v = p.ActivationMax;
            return v;
        }
    }
}
