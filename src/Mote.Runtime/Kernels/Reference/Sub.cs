namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SUB, int8 and int16 activations. Follows TFLM micro/kernels/sub.cc: reference_ops::Sub
    /// (SubElementwise) when the input shapes are equal, BroadcastQuantSubSlow when they differ.
    /// The prepared parameters are ADD's (<see cref="AddParams"/>; TFLM's OpDataSub has the same
    /// fields and CalculateOpDataSub the same left shifts, 20 for int8 and 15 for int16).
    /// </summary>
    public static class Sub
    {
        /// <summary>
        /// int8: as <see cref="Add.Eval"/> (same shapes, same broadcasting), element operation
        /// <see cref="SubOne"/>.
        /// </summary>
        public static void Eval(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            if (!p.Broadcast)
            {
                for (int i = 0; i < p.FlatSize; i++)
                {
                    output[outputStart + i] = (byte)(sbyte)SubOne(p, (sbyte)input1[input1Start + i], (sbyte)input2[input2Start + i]);
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
                            output[o++] = (byte)(sbyte)SubOne(p, (sbyte)input1[i1 + d3 * st1D3], (sbyte)input2[i2 + d3 * st2D3]);
                        }
                    }
                }
            }
        }

        /// <summary>int16: as <see cref="Eval"/> with 2-byte little-endian elements (starts are byte positions).</summary>
        public static void EvalInt16(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            if (!p.Broadcast)
            {
                for (int i = 0; i < p.FlatSize; i++)
                {
                    int v = SubOne(p, AddInt16.Int16At(input1, input1Start + 2 * i), AddInt16.Int16At(input2, input2Start + 2 * i));
                    int o = outputStart + 2 * i;
                    output[o] = (byte)v;
                    output[o + 1] = (byte)(v >> 8);
                }
                return;
            }

            int[] so = p.OutputShape;
            Broadcast4D.Strides(p.Input1Shape, out int st1D0, out int st1D1, out int st1D2, out int st1D3);
            Broadcast4D.Strides(p.Input2Shape, out int st2D0, out int st2D1, out int st2D2, out int st2D3);

            int at = outputStart;
            for (int d0 = 0; d0 < so[0]; d0++)
            {
                for (int d1 = 0; d1 < so[1]; d1++)
                {
                    for (int d2 = 0; d2 < so[2]; d2++)
                    {
                        int i1 = d0 * st1D0 + d1 * st1D1 + d2 * st1D2;
                        int i2 = d0 * st2D0 + d1 * st2D1 + d2 * st2D2;
                        for (int d3 = 0; d3 < so[3]; d3++)
                        {
                            int v = SubOne(p, AddInt16.Int16At(input1, input1Start + 2 * (i1 + d3 * st1D3)),
                                AddInt16.Int16At(input2, input2Start + 2 * (i2 + d3 * st2D3)));
                            output[at] = (byte)v;
                            output[at + 1] = (byte)(v >> 8);
                            at += 2;
                        }
                    }
                }
            }
        }

        /// <summary>
        /// One element, TFLM SubElementwise / BroadcastQuantSubSlow's lambda: ADD's steps
        /// (<see cref="Add"/>: offset, shift left by LeftShift, rescale each input with
        /// MultiplyByQuantizedMultiplierSmallerThanOneExp) but raw = scaled1 - scaled2, then
        /// out = MultiplyByQuantizedMultiplierSmallerThanOneExp(raw, OutputMultiplier,
        /// OutputShift) + OutputOffset, clamped to [ActivationMin, ActivationMax].
        /// </summary>
        internal static int SubOne(AddParams p, int x1, int x2)
        {
            int shifted1 = unchecked((p.Input1Offset + x1) * (1 << p.LeftShift));
            int shifted2 = unchecked((p.Input2Offset + x2) * (1 << p.LeftShift));
            int scaled1 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted1, p.Input1Multiplier, p.Input1Shift);
            int scaled2 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted2, p.Input2Multiplier, p.Input2Shift);
            int rawSub = unchecked(scaled1 - scaled2);
            int rawOutput = unchecked(FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(rawSub, p.OutputMultiplier, p.OutputShift)
                + p.OutputOffset);
            if (rawOutput < p.ActivationMin) rawOutput = p.ActivationMin;
            if (rawOutput > p.ActivationMax) rawOutput = p.ActivationMax;
            return rawOutput;
        }
    }
}
