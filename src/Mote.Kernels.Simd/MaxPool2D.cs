using System.Runtime.Intrinsics;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// MAX_POOL_2D int8, bit-exact with <see cref="Reference.MaxPool2D"/>: the same clipped window per
    /// output pixel, 16 channels per Vector128 (the maximum is exact in any order), the channel tail
    /// scalar. int16 pooling runs the reference kernel (the interpreter sends it there).
    /// </summary>
    public static unsafe class MaxPool2D
    {
        public static void Eval(PoolParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here: portable Vector128 (pmaxsb on x64, smax on ARM64), else reference.
            if (!Vector128.IsHardwareAccelerated || p.ElementType != Runtime.Format.DataType.Int8
                || p.ActivationMin < -128 || p.ActivationMax > 127)
            {
                Reference.MaxPool2D.Eval(p, input, inputStart, output, outputStart);
                return;
            }
            int inH = p.InputHeight, inW = p.InputWidth, channels = p.Channels;
            int vectorChannels = channels & ~15;
            Vector128<sbyte> vmin = Vector128.Create((sbyte)p.ActivationMin), vmax = Vector128.Create((sbyte)p.ActivationMax);
            fixed (byte* in0 = input, out0 = output)
            {
                sbyte* o = (sbyte*)out0 + outputStart;
                for (int b = 0; b < p.Batches; b++)
                {
                    sbyte* batch = (sbyte*)in0 + inputStart + b * inH * inW * channels;
                    for (int oy = 0; oy < p.OutputHeight; oy++)
                    {
                        int inY = oy * p.StrideHeight - p.PadTop;
                        int fy0 = inY < 0 ? -inY : 0, fy1 = System.Math.Min(p.FilterHeight, inH - inY);
                        for (int ox = 0; ox < p.OutputWidth; ox++)
                        {
                            int inX = ox * p.StrideWidth - p.PadLeft;
                            int fx0 = inX < 0 ? -inX : 0, fx1 = System.Math.Min(p.FilterWidth, inW - inX);
                            int c = 0;
                            for (; c < vectorChannels; c += 16)
                            {
                                Vector128<sbyte> m = Vector128.Create((sbyte)-128);
                                for (int fy = fy0; fy < fy1; fy++)
                                {
                                    sbyte* row = batch + ((inY + fy) * inW + inX) * channels + c;
                                    for (int fx = fx0; fx < fx1; fx++) m = Vector128.Max(m, Vector128.Load(row + fx * channels));
                                }
                                Vector128.Min(Vector128.Max(m, vmin), vmax).Store(o + c);
                            }
                            for (; c < channels; c++)
                            {
                                int m = -128;
                                for (int fy = fy0; fy < fy1; fy++)
                                {
                                    sbyte* row = batch + ((inY + fy) * inW + inX) * channels + c;
                                    for (int fx = fx0; fx < fx1; fx++) { int v = row[fx * channels]; if (v > m) m = v; }
                                }
                                if (m < p.ActivationMin) m = p.ActivationMin;
                                if (m > p.ActivationMax) m = p.ActivationMax;
                                o[c] = (sbyte)m;
                            }
                            o += channels;
                        }
                    }
                }
            }
        }
    }
}
