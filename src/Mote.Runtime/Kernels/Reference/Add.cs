namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// ADD, int8. Follows TFLM reference_integer_ops::AddFunc (integer_ops/add.h),
    /// used element-wise by Add and by BroadcastAdd4DSlow.
    /// </summary>
    public static class Add
    {
        /// <summary>
        /// Without broadcast, the three tensors have FlatSize elements each and
        /// element i is computed from input1[i] and input2[i]. With p.Broadcast,
        /// the 4-D shapes are used: output [d0, d1, d2, d3] = OutputShape, and an
        /// input dimension of size 1 is read at index 0 for every output index
        /// along it (NumPy broadcasting; TFLM's BroadcastAdd4DSlow). Output is
        /// written in row-major order.
        /// </summary>
        public static void Eval(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            if (!p.Broadcast)
            {
                for (int i = 0; i < p.FlatSize; i++)
                {
                    output[outputStart + i] = (byte)(sbyte)AddOne(p, (sbyte)input1[input1Start + i], (sbyte)input2[input2Start + i]);
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
                            int v = AddOne(p, (sbyte)input1[i1 + d3 * st1D3], (sbyte)input2[i2 + d3 * st2D3]);
                            output[o++] = (byte)(sbyte)v;
                        }
                    }
                }
            }
        }

        /// <summary>
        /// One element, TFLM AddFunc:
        ///  1. v1 = x1 + Input1Offset, v2 = x2 + Input2Offset (offsets are minus the
        ///     input zero points);
        ///  2. both are multiplied by 2^LeftShift (20 for int8) to gain headroom;
        ///  3. each is rescaled to the common scale 2 * max(s1, s2) with
        ///     MultiplyByQuantizedMultiplierSmallerThanOneExp(v, InputNMultiplier,
        ///     InputNShift), where the shifts are TFLM's non-positive exponents
        ///     (right shift by -shift);
        ///  4. sum = r1 + r2 (int32);
        ///  5. out = MultiplyByQuantizedMultiplierSmallerThanOneExp(sum,
        ///     OutputMultiplier, OutputShift) + OutputOffset, clamped to
        ///     [ActivationMin, ActivationMax].
        /// </summary>
        internal static int AddOne(AddParams p, int x1, int x2)
        {
            int input1Val = p.Input1Offset + x1;
            int input2Val = p.Input2Offset + x2;
            int shifted1 = unchecked(input1Val * (1 << p.LeftShift));
            int shifted2 = unchecked(input2Val * (1 << p.LeftShift));
            int scaled1 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted1, p.Input1Multiplier, p.Input1Shift);
            int scaled2 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted2, p.Input2Multiplier, p.Input2Shift);
            int rawSum = unchecked(scaled1 + scaled2);
            int rawOutput = unchecked(FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(rawSum, p.OutputMultiplier, p.OutputShift)
                + p.OutputOffset);
            if (rawOutput < p.ActivationMin) rawOutput = p.ActivationMin;
            if (rawOutput > p.ActivationMax) rawOutput = p.ActivationMax;
            return rawOutput;
        }
    }
}
