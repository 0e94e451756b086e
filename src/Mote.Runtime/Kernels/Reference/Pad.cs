namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// PAD (and PADV2), int8 and int16. Follows TFLM reference_ops::PadImpl (reference/pad.h): the
    /// input bytes are copied unchanged (no requantization) and every new element is PadValue.
    /// </summary>
    public static class Pad
    {
        /// <summary>
        /// Shapes extended to 5-D: output [b, p, h, w, d] = OutputShape. Walking the output in
        /// row-major order, an element whose index along some dimension k lies in the first
        /// LeftPadding[k] or the last RightPadding[k] positions is PadValue; every other element
        /// takes the next input element (the input is read once, in order).
        /// </summary>
        public static void Eval(PadParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            if (p.ElementSize != 1)
            {
                EvalWide(p, input, inputStart, output, outputStart);
                return;
            }
            int[] so = p.OutputShape;
            int[] l = p.LeftPadding;
            int[] r = p.RightPadding;
            byte pad = (byte)(sbyte)p.PadValue;
            int inPos = inputStart;
            int o = outputStart;
            for (int d0 = 0; d0 < so[0]; d0++)
            {
                bool pad0 = d0 < l[0] || d0 >= so[0] - r[0];
                for (int d1 = 0; d1 < so[1]; d1++)
                {
                    bool pad1 = pad0 || d1 < l[1] || d1 >= so[1] - r[1];
                    for (int d2 = 0; d2 < so[2]; d2++)
                    {
                        bool pad2 = pad1 || d2 < l[2] || d2 >= so[2] - r[2];
                        for (int d3 = 0; d3 < so[3]; d3++)
                        {
                            bool pad3 = pad2 || d3 < l[3] || d3 >= so[3] - r[3];
                            for (int d4 = 0; d4 < so[4]; d4++)
                            {
                                if (pad3 || d4 < l[4] || d4 >= so[4] - r[4])
                                {
                                    output[o++] = pad;
                                }
                                else
                                {
                                    output[o++] = input[inPos++];
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>As <see cref="Eval"/> for 2-byte elements (int16): PadValue is written little-endian.</summary>
        static void EvalWide(PadParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            int[] so = p.OutputShape;
            int[] l = p.LeftPadding;
            int[] r = p.RightPadding;
            byte lo = (byte)p.PadValue, hi = (byte)(p.PadValue >> 8);
            int inPos = inputStart;
            int o = outputStart;
            for (int d0 = 0; d0 < so[0]; d0++)
            {
                bool pad0 = d0 < l[0] || d0 >= so[0] - r[0];
                for (int d1 = 0; d1 < so[1]; d1++)
                {
                    bool pad1 = pad0 || d1 < l[1] || d1 >= so[1] - r[1];
                    for (int d2 = 0; d2 < so[2]; d2++)
                    {
                        bool pad2 = pad1 || d2 < l[2] || d2 >= so[2] - r[2];
                        for (int d3 = 0; d3 < so[3]; d3++)
                        {
                            bool pad3 = pad2 || d3 < l[3] || d3 >= so[3] - r[3];
                            for (int d4 = 0; d4 < so[4]; d4++)
                            {
                                if (pad3 || d4 < l[4] || d4 >= so[4] - r[4])
                                {
                                    output[o] = lo;
                                    output[o + 1] = hi;
                                }
                                else
                                {
                                    output[o] = input[inPos];
                                    output[o + 1] = input[inPos + 1];
                                    inPos += 2;
                                }
                                o += 2;
                            }
                        }
                    }
                }
            }
        }
    }
}
