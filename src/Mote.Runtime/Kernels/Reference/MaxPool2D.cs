namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// MAX_POOL_2D, int8 (input and output share scale and zero point).
    /// Follows TFLM reference_integer_ops::MaxPool (integer_ops/pooling.h).
    /// </summary>
    public static class MaxPool2D
    {
        /// <summary>
        /// Shapes: input int8 [N, H, W, C], output int8 [N, OH, OW, C].
        /// For every output (b, oy, ox, c):
        ///  1. The window origin is (oy * StrideHeight - PadTop, ox * StrideWidth - PadLeft);
        ///     the FilterHeight x FilterWidth window is clipped to the image (taps
        ///     outside are skipped, never treated as a padding value).
        ///  2. max starts at -128 and takes the largest int8 value in the window.
        ///  3. Clamp to [ActivationMin, ActivationMax] (a fused RELU raises values
        ///     below the zero point) and store.
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
                            int max = -128;
                            for (int fy = fyStart; fy < fyEnd; fy++)
                            {
                                int rowBase = batchBase + (inYOrigin + fy) * inW * channels;
                                for (int fx = fxStart; fx < fxEnd; fx++)
                                {
                                    int v = (sbyte)input[rowBase + (inXOrigin + fx) * channels + c];
                                    if (v > max) max = v;
                                }
                            }
                            if (max < p.ActivationMin) max = p.ActivationMin;
                            if (max > p.ActivationMax) max = p.ActivationMax;
                            output[o++] = (byte)(sbyte)max;
                        }
                    }
                }
            }
        }

        /// <summary>
        /// int16 (format 1.3): TFLM reference_integer_ops::MaxPool's int16 overload, the same
        /// algorithm on int16 LE values: max starts at -32768, the activation range lies inside
        /// int16 (checked at load).
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
                            int max = -32768;
                            for (int fy = fyStart; fy < fyEnd; fy++)
                            {
                                int rowBase = batchBase + 2 * (inYOrigin + fy) * inW * channels;
                                for (int fx = fxStart; fx < fxEnd; fx++)
                                {
                                    int at = rowBase + 2 * ((inXOrigin + fx) * channels + c);
                                    int v = (short)(input[at] | (input[at + 1] << 8));
                                    if (v > max) max = v;
                                }
                            }
                            if (max < p.ActivationMin) max = p.ActivationMin;
                            if (max > p.ActivationMax) max = p.ActivationMax;
                            output[o] = (byte)max;
                            output[o + 1] = (byte)(max >> 8);
                            o += 2;
                        }
                    }
                }
            }
        }
    }
}
