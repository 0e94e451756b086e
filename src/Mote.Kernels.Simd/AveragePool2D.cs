using System.Runtime.Intrinsics;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// AVERAGE_POOL_2D int8, bit-exact with <see cref="Reference.AveragePool2D"/>: per output pixel the
    /// clipped window's int8 values are summed 16 channels at a time in four Vector128 int32 lanes
    /// (integer addition: exact in any order), then each channel gets TFLM's rounding division,
    /// acc &gt; 0 ? (acc + n/2) / n : (acc - n/2) / n, and the activation clamp, as scalars. The sums
    /// cost n taps per channel; the division one per channel. int16 runs the reference kernel.
    /// </summary>
    public static unsafe class AveragePool2D
    {
        public static void Eval(PoolParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            // Hardware path, chosen here and only here: portable Vector128, else reference.
            if (!Vector128.IsHardwareAccelerated || p.ElementType != Runtime.Format.DataType.Int8)
            {
                Reference.AveragePool2D.Eval(p, input, inputStart, output, outputStart);
                return;
            }
            int inH = p.InputHeight, inW = p.InputWidth, channels = p.Channels;
            int vectorChannels = channels & ~15;
            int* sums = stackalloc int[16];
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
                            int count = fy1 > fy0 && fx1 > fx0 ? (fy1 - fy0) * (fx1 - fx0) : 0;
                            int c = 0;
                            for (; c < vectorChannels; c += 16)
                            {
                                Vector128<int> s0 = Vector128<int>.Zero, s1 = s0, s2 = s0, s3 = s0;
                                for (int fy = fy0; fy < fy1; fy++)
                                {
                                    sbyte* row = batch + ((inY + fy) * inW + inX) * channels + c;
                                    for (int fx = fx0; fx < fx1; fx++)
                                    {
                                        Vector128<sbyte> v = Vector128.Load(row + fx * channels);
                                        Vector128<short> lo = Vector128.WidenLower(v), hi = Vector128.WidenUpper(v);
                                        s0 += Vector128.WidenLower(lo); s1 += Vector128.WidenUpper(lo);
                                        s2 += Vector128.WidenLower(hi); s3 += Vector128.WidenUpper(hi);
                                    }
                                }
                                s0.Store(sums); s1.Store(sums + 4); s2.Store(sums + 8); s3.Store(sums + 12);
                                for (int k = 0; k < 16; k++) o[c + k] = Finish(p, sums[k], count);
                            }
                            for (; c < channels; c++)
                            {
                                int acc = 0;
                                for (int fy = fy0; fy < fy1; fy++)
                                {
                                    sbyte* row = batch + ((inY + fy) * inW + inX) * channels + c;
                                    for (int fx = fx0; fx < fx1; fx++) acc += row[fx * channels];
                                }
                                o[c] = Finish(p, acc, count);
                            }
                            o += channels;
                        }
                    }
                }
            }
        }

        /// <summary>The reference's rounding division (halves away from zero; 0 for an empty window) and clamp.</summary>
        static sbyte Finish(PoolParams p, int acc, int count)
        {
            if (count == 0) acc = 0;
            else if (acc > 0) acc = (acc + count / 2) / count;
            else acc = (acc - count / 2) / count;
            if (acc < p.ActivationMin) acc = p.ActivationMin;
            if (acc > p.ActivationMax) acc = p.ActivationMax;
            return (sbyte)acc;
        }
    }
}
