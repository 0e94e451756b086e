namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// AVERAGE_POOL_2D, int8 (input and output share scale and zero point, so the
    /// average of the stored values is the output directly).
    /// Follows TFLM reference_integer_ops::AveragePool (integer_ops/pooling.h).
    /// </summary>
    public static class AveragePool2D
    {
        /// <summary>
        /// Shapes: input int8 [N, H, W, C], output int8 [N, OH, OW, C].
        /// For every output (b, oy, ox, c):
        ///  1. The window origin is (oy * StrideHeight - PadTop, ox * StrideWidth - PadLeft);
        ///     the FilterHeight x FilterWidth window is clipped to the image, so taps
        ///     outside the image are skipped and not counted.
        ///  2. acc = sum of the int8 values in the clipped window, n = their count.
        ///  3. TFLM's rounding division, halves away from zero, with C's truncating
        ///     integer division: acc &gt; 0 ? (acc + n/2) / n : (acc - n/2) / n.
        ///  4. Clamp to [ActivationMin, ActivationMax] and store.
        /// A window with no tap inside the image (impossible with TFLM's SAME/VALID
        /// padding) makes TFLM stop and leave the rest of the output unwritten;
        /// Mote instead writes 0 clamped to the activation range for that element
        /// and carries on.
        /// </summary>
        public static void Eval(PoolParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            int inH = p.InputHeight;
            int inW = p.InputWidth;
            int channels = p.Channels;
            int o = outputStart;
            for (int b = 0; b < p.Batches; b++)
            {
                int batchBase = inputStart + b * inH * inW * channels;
                for (int oy = 0; oy < p.OutputHeight; oy++)
                {
                    int inYOrigin = oy * p.StrideHeight - p.PadTop;
                    int fyStart = System.Math.Max(0, -inYOrigin);
                    int fyEnd = System.Math.Min(p.FilterHeight, inH - inYOrigin);
                    for (int ox = 0; ox < p.OutputWidth; ox++)
                    {
                        int inXOrigin = ox * p.StrideWidth - p.PadLeft;
                        int fxStart = System.Math.Max(0, -inXOrigin);
                        int fxEnd = System.Math.Min(p.FilterWidth, inW - inXOrigin);
                        for (int c = 0; c < channels; c++)
                        {
                            int acc = 0;
                            int count = 0;
                            for (int fy = fyStart; fy < fyEnd; fy++)
                            {
                                int rowBase = batchBase + (inYOrigin + fy) * inW * channels;
                                for (int fx = fxStart; fx < fxEnd; fx++)
                                {
                                    acc += (sbyte)input[rowBase + (inXOrigin + fx) * channels + c];
                                    count++;
                                }
                            }
                            if (count == 0)
                            {
                                acc = 0;
                            }
                            else if (acc > 0)
                            {
                                acc = (acc + count / 2) / count;
                            }
                            else
                            {
                                acc = (acc - count / 2) / count;
                            }
                            if (acc < p.ActivationMin) acc = p.ActivationMin;
                            if (acc > p.ActivationMax) acc = p.ActivationMax;
                            output[o++] = (byte)(sbyte)acc;
                        }
                    }
                }
            }
        }

        /// <summary>
        /// int16 (format 1.3): TFLM reference_integer_ops::AveragePool's int16 overload, the same
        /// algorithm (int32 sum, the same rounding division) on int16 LE values.
        /// </summary>
        public static void EvalInt16(PoolParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            int inH = p.InputHeight;
            int inW = p.InputWidth;
            int channels = p.Channels;
            int o = outputStart;
            for (int b = 0; b < p.Batches; b++)
            {
                int batchBase = inputStart + 2 * b * inH * inW * channels;
                for (int oy = 0; oy < p.OutputHeight; oy++)
                {
                    int inYOrigin = oy * p.StrideHeight - p.PadTop;
                    int fyStart = System.Math.Max(0, -inYOrigin);
                    int fyEnd = System.Math.Min(p.FilterHeight, inH - inYOrigin);
                    for (int ox = 0; ox < p.OutputWidth; ox++)
                    {
                        int inXOrigin = ox * p.StrideWidth - p.PadLeft;
                        int fxStart = System.Math.Max(0, -inXOrigin);
                        int fxEnd = System.Math.Min(p.FilterWidth, inW - inXOrigin);
                        for (int c = 0; c < channels; c++)
                        {
                            int acc = 0;
                            int count = 0;
                            for (int fy = fyStart; fy < fyEnd; fy++)
                            {
                                int rowBase = batchBase + 2 * (inYOrigin + fy) * inW * channels;
                                for (int fx = fxStart; fx < fxEnd; fx++)
                                {
                                    int at = rowBase + 2 * ((inXOrigin + fx) * channels + c);
                                    acc += (short)(input[at] | (input[at + 1] << 8));
                                    count++;
                                }
                            }
                            if (count == 0) acc = 0;
                            else if (acc > 0) acc = (acc + count / 2) / count;
                            else acc = (acc - count / 2) / count;
                            if (acc < p.ActivationMin) acc = p.ActivationMin;
                            if (acc > p.ActivationMax) acc = p.ActivationMax;
                            output[o] = (byte)acc;
                            output[o + 1] = (byte)(acc >> 8);
                            o += 2;
                        }
                    }
                }
            }
        }
    }
}
