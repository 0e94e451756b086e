namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// int32 ADD, MUL, DIV, MINIMUM and MAXIMUM (TFLM reference_ops on int32_t, with broadcasting as
    /// in BroadcastAdd4DSlow/BroadcastMul4DSlow/BroadcastDivSlow/maximum_minimum's broadcast loop),
    /// the result clamped to [ActivationMin, ActivationMax]. Sums and products wrap (what the C
    /// compilers TFLM is built with do with int32 overflow). DIV truncates toward zero like C;
    /// where C traps (x / 0, int.MinValue / -1) Mote gives 0 and int.MinValue.
    /// </summary>
    public static class BinaryInt32
    {
        public static void Eval(BinaryInt32Params p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            if (!p.Broadcast)
            {
                for (int i = 0; i < p.FlatSize; i++)
                {
                    int v = Apply(p, ElementBytes.ReadInt32(input1, input1Start + 4 * i), ElementBytes.ReadInt32(input2, input2Start + 4 * i));
                    ElementBytes.WriteInt32(output, outputStart + 4 * i, v);
                }
                return;
            }
            int[] so = p.OutputShape;
            Broadcast4D.Strides(p.Input1Shape, out int a0, out int a1, out int a2, out int a3);
            Broadcast4D.Strides(p.Input2Shape, out int b0, out int b1, out int b2, out int b3);
            int o = outputStart;
            for (int d0 = 0; d0 < so[0]; d0++)
                for (int d1 = 0; d1 < so[1]; d1++)
                    for (int d2 = 0; d2 < so[2]; d2++)
                    {
                        int i1 = d0 * a0 + d1 * a1 + d2 * a2;
                        int i2 = d0 * b0 + d1 * b1 + d2 * b2;
                        for (int d3 = 0; d3 < so[3]; d3++)
                        {
                            int x = ElementBytes.ReadInt32(input1, input1Start + 4 * (i1 + d3 * a3));
                            int y = ElementBytes.ReadInt32(input2, input2Start + 4 * (i2 + d3 * b3));
                            ElementBytes.WriteInt32(output, o, Apply(p, x, y));
                            o += 4;
                        }
                    }
        }

        static int Apply(BinaryInt32Params p, int x, int y)
        {
            int r;
            switch (p.Operation)
            {
                case BinaryInt32Params.OpAdd: r = unchecked(x + y); break;
                case BinaryInt32Params.OpMul: r = unchecked(x * y); break;
                case BinaryInt32Params.OpDiv:
                    if (y == 0) r = 0;
                    else if (y == -1) r = unchecked(-x);
                    else r = x / y;
                    break;
                case BinaryInt32Params.OpMinimum: r = x < y ? x : y; break;
                default: r = x > y ? x : y; break;
            }
            if (r < p.ActivationMin) r = p.ActivationMin;
            if (r > p.ActivationMax) r = p.ActivationMax;
            return r;
        }
    }
}
