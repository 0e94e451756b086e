using System;
using Mote.Packer.Quantization;
using Mote.Runtime.Kernels;

namespace Mote.VectorGen;

/// <summary>The generated cases, one method per kernel. All randomness comes from one seeded Random.</summary>
public sealed class Cases
{
    private readonly Random _rng;
    private readonly VectorFile _file;

    public Cases(Random rng, VectorFile file)
    {
        _rng = rng;
        _file = file;
    }

    public void All()
    {
        Requantize();
        Conv();
        Depthwise();
        FullyConnectedCases();
        AddCases();
        Pooling();
        SoftmaxCases();
    }

    // ---------- value helpers ----------

    private enum Fill { Random, AllMin, AllMax, Extremes }

    private byte[] Int8(int count, Fill fill)
    {
        var b = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int v = fill switch
            {
                Fill.AllMin => -128,
                Fill.AllMax => 127,
                Fill.Extremes => _rng.Next(2) == 0 ? -128 : 127,
                _ => _rng.Next(-128, 128),
            };
            b[i] = unchecked((byte)(sbyte)v);
        }
        return b;
    }

    private Fill PickFill()
    {
        int r = _rng.Next(10);
        return r == 0 ? Fill.AllMin : r == 1 ? Fill.AllMax : r == 2 ? Fill.Extremes : Fill.Random;
    }

    /// <summary>A zero point: often at a limit (-128 or 127), sometimes 0, otherwise random.</summary>
    private int ZeroPoint()
    {
        int r = _rng.Next(6);
        return r == 0 ? -128 : r == 1 ? 127 : r == 2 ? 0 : _rng.Next(-128, 128);
    }

    private float Scale(float lo, float hi) => (float)(lo * Math.Pow(hi / lo, _rng.NextDouble()));

    /// <summary>Activation range: none, RELU-like from the zero point, or a random window.</summary>
    private (int, int) ActivationRange(int outZp)
    {
        int r = _rng.Next(4);
        if (r == 0) return (outZp, 127);
        if (r == 1)
        {
            int a = _rng.Next(-128, 128), b = _rng.Next(-128, 128);
            return (Math.Min(a, b), Math.Max(a, b));
        }
        return (-128, 127);
    }

    private byte[] Bias(int count, out bool present)
    {
        present = _rng.Next(5) != 0;
        if (!present) return Array.Empty<byte>();
        var v = new int[count];
        int magnitude = _rng.Next(3) switch { 0 => 100, 1 => 20000, _ => 1 << 24 };
        for (int i = 0; i < count; i++) v[i] = _rng.Next(-magnitude, magnitude + 1);
        return VectorFile.I32(v);
    }

    /// <summary>
    /// Per-channel multipliers and shifts from random scales through the packer's TFLM-exact
    /// ConvPerChannel; with probability 1/5 the output scale is small so that the effective
    /// scale exceeds 1 and shifts are positive.
    /// </summary>
    private (int[] m, int[] s) ConvQuant(int channels, bool perTensor)
    {
        float inScale = Scale(0.001f, 0.5f);
        float outScale = _rng.Next(5) == 0 ? Scale(1e-6f, 1e-4f) : Scale(0.005f, 1f);
        var filterScales = new float[perTensor ? 1 : channels];
        for (int c = 0; c < filterScales.Length; c++) filterScales[c] = Scale(1e-4f, 0.05f);
        var m = new int[channels];
        var s = new int[channels];
        TfliteQuantMath.ConvPerChannel(inScale, filterScales, outScale, channels, m, s);
        return (m, s);
    }

    private static void Padding(bool same, int size, int kernel, int stride, int dilation, out int outSize, out int padBefore)
    {
        int dk = (kernel - 1) * dilation + 1;
        if (same)
        {
            outSize = (size + stride - 1) / stride;
            int total = Math.Max((outSize - 1) * stride + dk - size, 0);
            padBefore = total / 2;
        }
        else
        {
            outSize = (size - dk) / stride + 1;
            padBefore = 0;
        }
    }

    private static int[] ConvWords(ConvParams p) => new[]
    {
        p.Batches, p.InputHeight, p.InputWidth, p.InputChannels, p.FilterHeight, p.FilterWidth,
        p.OutputHeight, p.OutputWidth, p.OutputChannels, p.StrideHeight, p.StrideWidth,
        p.DilationHeight, p.DilationWidth, p.PadTop, p.PadLeft, p.DepthMultiplier,
        p.InputOffset, p.OutputOffset, p.ActivationMin, p.ActivationMax, p.RequantStride,
    };

    /// <summary>
    /// A quarter of the per-tensor cases use format 1.2's shared table (RequantStride 0, one
    /// multiplier and shift for all channels); the others repeat the entry per channel.
    /// </summary>
    private (int[] m, int[] s, int stride) SharedOrRepeated(int[] m, int[] s, bool perTensor)
    {
        if (perTensor && _rng.Next(2) == 0) return (new[] { m[0] }, new[] { s[0] }, 0);
        return (m, s, 1);
    }

    // ---------- MultiplyByQuantizedMultiplier ----------

    private void Requantize()
    {
        const int n = 4000;
        var x = new int[n];
        var m = new int[n];
        var s = new int[n];
        var e = new int[n];
        int[] xEdges = { int.MinValue, int.MinValue + 1, -1, 0, 1, int.MaxValue, int.MaxValue - 1, 1 << 30, -(1 << 30) };
        int[] mEdges = { 0, 1, 1 << 30, int.MaxValue, (1 << 30) + 1, int.MaxValue - 1 };
        for (int i = 0; i < n; i++)
        {
            x[i] = (i % 4) switch
            {
                0 => xEdges[_rng.Next(xEdges.Length)] + (_rng.Next(3) - 1) * (_rng.Next(2) == 0 ? 0 : 1),
                1 => _rng.Next(-100000, 100000),
                _ => (int)(uint)_rng.NextInt64(0, 1L << 32),
            };
            m[i] = (i % 3) == 0 ? mEdges[_rng.Next(mEdges.Length)] : _rng.Next(1 << 30, int.MaxValue);
            s[i] = (i % 5) == 0 ? (_rng.Next(2) == 0 ? -31 : 30) : _rng.Next(-31, 31);
            e[i] = FixedPoint.MultiplyByQuantizedMultiplier(x[i], m[i], s[i]);
        }
        _file.AddCase(VectorFile.Requantize, "mqm_random_and_extremes", Array.Empty<int>(),
            VectorFile.I32(x), VectorFile.I32(m), VectorFile.I32(s), VectorFile.I32(e));
    }

    // ---------- CONV_2D ----------

    private void Conv()
    {
        // Small versions of the benchmark layers (firmware/bench), then random shapes.
        ConvCase("bench_like_3x3_8to16", 1, 8, 8, 8, 16, 3, 3, 1, 1, 1, 1, true, Fill.Random);
        ConvCase("bench_like_1x1_64to64", 1, 5, 5, 64, 64, 1, 1, 1, 1, 1, 1, true, Fill.Random);
        ConvCase("1x1_odd_cin_stride2", 1, 7, 6, 7, 5, 1, 1, 2, 2, 1, 1, false, Fill.Random);
        ConvCase("1x1_all_min", 2, 3, 3, 12, 3, 1, 1, 1, 1, 1, 1, true, Fill.AllMin);
        ConvCase("3x3_all_max_same", 1, 5, 4, 4, 4, 3, 3, 1, 1, 1, 1, true, Fill.AllMax);
        ConvCase("3x3_odd_channels_stride2_same", 1, 9, 7, 3, 7, 3, 3, 2, 2, 1, 1, true, Fill.Random);
        ConvCase("3x3_dilation2_same", 1, 8, 8, 5, 6, 3, 3, 1, 1, 2, 2, true, Fill.Random);
        ConvCase("5x2_stride_3x1_valid", 1, 9, 6, 4, 3, 5, 2, 3, 1, 1, 1, false, Fill.Random);
        for (int i = 0; i < 40; i++)
        {
            int k = _rng.Next(1, 5), kw = _rng.Next(3) == 0 ? _rng.Next(1, 5) : k;
            int cin = _rng.Next(4) == 0 ? 4 * _rng.Next(1, 5) : _rng.Next(1, 13);
            int stride = _rng.Next(1, 4), dil = _rng.Next(4) == 0 ? 2 : 1;
            int h = _rng.Next((k - 1) * dil + 1, 11), w = _rng.Next((kw - 1) * dil + 1, 11);
            ConvCase($"random_{i}", _rng.Next(1, 3), h, w, cin, _rng.Next(1, 10), k, kw, stride,
                _rng.Next(3) == 0 ? _rng.Next(1, 4) : stride, dil, dil, _rng.Next(2) == 0, PickFill());
        }
    }

    private void ConvCase(string name, int batches, int h, int w, int cin, int cout, int kh, int kw,
        int sh, int sw, int dh, int dw, bool same, Fill fill)
    {
        Padding(same, h, kh, sh, dh, out int oh, out int padTop);
        Padding(same, w, kw, sw, dw, out int ow, out int padLeft);
        int inZp = ZeroPoint(), outZp = ZeroPoint();
        var (amin, amax) = ActivationRange(outZp);
        var p = new ConvParams
        {
            Batches = batches, InputHeight = h, InputWidth = w, InputChannels = cin,
            FilterHeight = kh, FilterWidth = kw, OutputHeight = oh, OutputWidth = ow, OutputChannels = cout,
            StrideHeight = sh, StrideWidth = sw, DilationHeight = dh, DilationWidth = dw,
            PadTop = padTop, PadLeft = padLeft, DepthMultiplier = 1,
            InputOffset = -inZp, OutputOffset = outZp, ActivationMin = amin, ActivationMax = amax,
        };
        byte[] input = Int8(batches * h * w * cin, fill);
        byte[] filter = Int8(cout * kh * kw * cin, fill == Fill.Random ? Fill.Random : PickFill());
        byte[] bias = Bias(cout, out bool hasBias);
        bool perTensor = _rng.Next(4) == 0;
        var (m0, s0) = ConvQuant(cout, perTensor);
        var (m, s, stride) = SharedOrRepeated(m0, s0, perTensor);
        p.RequantStride = stride;
        byte[] quant = Concat(VectorFile.I32(m), VectorFile.I32(s));
        var output = new byte[batches * oh * ow * cout];
        Conv2D.Eval(p, input, 0, filter, 0, bias, hasBias ? 0 : -1, quant, 0, m.Length * 4, output, 0);
        _file.AddCase(VectorFile.Conv2D, "conv2d_" + name, ConvWords(p), input, filter, bias,
            VectorFile.I32(m), VectorFile.I32(s), output);
    }

    // ---------- DEPTHWISE_CONV_2D ----------

    private void Depthwise()
    {
        DepthwiseCase("bench_like_3x3_64ch", 1, 6, 5, 64, 1, 3, 3, 1, 1, 1, 1, true, Fill.Random);
        DepthwiseCase("3x3_odd_channels_all_min", 1, 5, 5, 7, 1, 3, 3, 1, 1, 1, 1, true, Fill.AllMin);
        DepthwiseCase("3x3_all_max_stride2", 1, 7, 6, 8, 1, 3, 3, 2, 2, 1, 1, true, Fill.AllMax);
        DepthwiseCase("3x3_dilation2", 1, 9, 9, 12, 1, 3, 3, 1, 1, 2, 2, true, Fill.Random);
        DepthwiseCase("multiplier2", 1, 5, 4, 3, 2, 3, 3, 1, 1, 1, 1, true, Fill.Random);
        DepthwiseCase("10x4_valid_kws_like", 1, 12, 6, 8, 1, 10, 4, 2, 2, 1, 1, false, Fill.Random);
        DepthwiseCase("one_channel_multiplier8_micro_speech_like", 1, 13, 12, 1, 8, 10, 8, 2, 2, 1, 1, true, Fill.Random);
        DepthwiseCase("one_channel_multiplier3_dilation2", 2, 9, 8, 1, 3, 3, 3, 1, 2, 2, 1, false, Fill.Random);
        for (int i = 0; i < 40; i++)
        {
            int k = _rng.Next(1, 6), kw = _rng.Next(3) == 0 ? _rng.Next(1, 6) : k;
            int cin = _rng.Next(3) == 0 ? 4 * _rng.Next(1, 5) : _rng.Next(1, 14);
            int mult = _rng.Next(4) == 0 ? _rng.Next(2, 4) : 1;
            int stride = _rng.Next(1, 3), dil = _rng.Next(4) == 0 ? 2 : 1;
            int h = _rng.Next((k - 1) * dil + 1, 11), w = _rng.Next((kw - 1) * dil + 1, 11);
            DepthwiseCase($"random_{i}", _rng.Next(1, 3), h, w, cin, mult, k, kw, stride, stride, dil,
                _rng.Next(4) == 0 ? 1 : dil, _rng.Next(2) == 0, PickFill());
        }
    }

    private void DepthwiseCase(string name, int batches, int h, int w, int cin, int mult, int kh, int kw,
        int sh, int sw, int dh, int dw, bool same, Fill fill)
    {
        Padding(same, h, kh, sh, dh, out int oh, out int padTop);
        Padding(same, w, kw, sw, dw, out int ow, out int padLeft);
        int cout = cin * mult;
        int inZp = ZeroPoint(), outZp = ZeroPoint();
        var (amin, amax) = ActivationRange(outZp);
        var p = new ConvParams
        {
            Batches = batches, InputHeight = h, InputWidth = w, InputChannels = cin,
            FilterHeight = kh, FilterWidth = kw, OutputHeight = oh, OutputWidth = ow, OutputChannels = cout,
            StrideHeight = sh, StrideWidth = sw, DilationHeight = dh, DilationWidth = dw,
            PadTop = padTop, PadLeft = padLeft, DepthMultiplier = mult,
            InputOffset = -inZp, OutputOffset = outZp, ActivationMin = amin, ActivationMax = amax,
        };
        byte[] input = Int8(batches * h * w * cin, fill);
        byte[] filter = Int8(kh * kw * cout, fill == Fill.Random ? Fill.Random : PickFill());
        byte[] bias = Bias(cout, out bool hasBias);
        bool perTensor = _rng.Next(4) == 0;
        var (m0, s0) = ConvQuant(cout, perTensor);
        var (m, s, stride) = SharedOrRepeated(m0, s0, perTensor);
        p.RequantStride = stride;
        byte[] quant = Concat(VectorFile.I32(m), VectorFile.I32(s));
        var output = new byte[batches * oh * ow * cout];
        DepthwiseConv2D.Eval(p, input, 0, filter, 0, bias, hasBias ? 0 : -1, quant, 0, m.Length * 4, output, 0);
        _file.AddCase(VectorFile.DepthwiseConv2D, "depthwise_" + name, ConvWords(p), input, filter, bias,
            VectorFile.I32(m), VectorFile.I32(s), output);
    }

    // ---------- FULLY_CONNECTED ----------

    private void FullyConnectedCases()
    {
        FcCase("bench_like_256to64", 1, 256, 64, 0, Fill.Random, perChannel: true);
        FcCase("all_min_odd_depth", 2, 37, 5, 0, Fill.AllMin, perChannel: false);
        FcCase("all_max", 1, 64, 7, 0, Fill.AllMax, perChannel: true);
        FcCase("filter_offset_portable_only", 2, 19, 6, 3, Fill.Random, perChannel: false);
        for (int i = 0; i < 30; i++)
        {
            FcCase($"random_{i}", _rng.Next(1, 4), _rng.Next(1, 300), _rng.Next(1, 21), 0, PickFill(), _rng.Next(2) == 0);
        }
    }

    private void FcCase(string name, int batches, int depth, int outDepth, int filterOffset, Fill fill, bool perChannel)
    {
        int inZp = ZeroPoint(), outZp = ZeroPoint();
        var (amin, amax) = ActivationRange(outZp);
        var p = new FullyConnectedParams
        {
            Batches = batches, AccumDepth = depth, OutputDepth = outDepth, InputOffset = -inZp,
            FilterOffset = filterOffset, OutputOffset = outZp, ActivationMin = amin, ActivationMax = amax,
        };
        byte[] input = Int8(batches * depth, fill);
        byte[] filter = Int8(outDepth * depth, fill == Fill.Random ? Fill.Random : PickFill());
        byte[] bias = Bias(outDepth, out bool hasBias);
        float inScale = Scale(0.001f, 0.5f), outScale = _rng.Next(5) == 0 ? Scale(1e-6f, 1e-4f) : Scale(0.005f, 1f);
        var filterScales = new float[perChannel ? outDepth : 1];
        for (int c = 0; c < filterScales.Length; c++) filterScales[c] = Scale(1e-4f, 0.05f);
        var m0 = new int[outDepth];
        var s0 = new int[outDepth];
        TfliteQuantMath.FullyConnected(inScale, filterScales, outScale, outDepth, m0, s0);
        var (m, s, stride) = SharedOrRepeated(m0, s0, !perChannel);
        p.RequantStride = stride;
        byte[] quant = Concat(VectorFile.I32(m), VectorFile.I32(s));
        var output = new byte[batches * outDepth];
        FullyConnected.Eval(p, input, 0, filter, 0, bias, hasBias ? 0 : -1, quant, 0, m.Length * 4, output, 0);
        _file.AddCase(VectorFile.FullyConnected, "fully_connected_" + name,
            new[] { p.Batches, p.AccumDepth, p.OutputDepth, p.InputOffset, p.FilterOffset, p.OutputOffset, p.ActivationMin, p.ActivationMax, p.RequantStride },
            input, filter, bias, VectorFile.I32(m), VectorFile.I32(s), output);
    }

    // ---------- ADD ----------

    private void AddCases()
    {
        for (int i = 0; i < 30; i++)
        {
            var outShape = new[] { _rng.Next(1, 3), _rng.Next(1, 5), _rng.Next(1, 5), _rng.Next(1, 9) };
            bool broadcast = i % 2 == 1;
            var s1 = (int[])outShape.Clone();
            var s2 = (int[])outShape.Clone();
            if (broadcast)
            {
                for (int d = 0; d < 4; d++)
                {
                    int r = _rng.Next(3);
                    if (r == 0) s1[d] = 1;
                    else if (r == 1) s2[d] = 1;
                }
            }
            int n1 = s1[0] * s1[1] * s1[2] * s1[3], n2 = s2[0] * s2[1] * s2[2] * s2[3];
            int flat = outShape[0] * outShape[1] * outShape[2] * outShape[3];
            int outZp = ZeroPoint();
            var p = new AddParams();
            TfliteQuantMath.Add(Scale(0.001f, 1f), ZeroPoint(), Scale(0.001f, 1f), ZeroPoint(), Scale(0.001f, 2f), outZp,
                _rng.Next(3) == 0 ? TfliteQuantMath.ActivationRelu : TfliteQuantMath.ActivationNone, p);
            p.FlatSize = flat;
            p.Broadcast = broadcast;
            if (broadcast)
            {
                p.Input1Shape = s1;
                p.Input2Shape = s2;
                p.OutputShape = outShape;
            }
            Fill fill = PickFill();
            byte[] a = Int8(n1, fill), b = Int8(n2, fill == Fill.Random ? Fill.Random : PickFill());
            var output = new byte[flat];
            Add.Eval(p, a, 0, b, 0, output, 0);
            var words = new int[26];
            int[] head =
            {
                p.LeftShift, p.Input1Offset, p.Input1Multiplier, p.Input1Shift, p.Input2Offset, p.Input2Multiplier,
                p.Input2Shift, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActivationMin, p.ActivationMax,
                p.FlatSize, p.Broadcast ? 1 : 0,
            };
            head.CopyTo(words, 0);
            s1.CopyTo(words, 14);
            s2.CopyTo(words, 18);
            outShape.CopyTo(words, 22);
            _file.AddCase(VectorFile.Add, $"add_{(broadcast ? "broadcast" : "flat")}_{i}", words, a, b, output);
        }
    }

    // ---------- pooling ----------

    private void Pooling()
    {
        for (int i = 0; i < 30; i++)
        {
            bool max = i % 2 == 1;
            int fh = _rng.Next(1, 5), fw = _rng.Next(1, 5), sh = _rng.Next(1, 4), sw = _rng.Next(1, 4);
            int h = _rng.Next(fh, 12), w = _rng.Next(fw, 12), c = _rng.Next(1, 10), batches = _rng.Next(1, 3);
            bool same = _rng.Next(2) == 0;
            Padding(same, h, fh, sh, 1, out int oh, out int padTop);
            Padding(same, w, fw, sw, 1, out int ow, out int padLeft);
            var (amin, amax) = ActivationRange(ZeroPoint());
            var p = new PoolParams
            {
                Batches = batches, InputHeight = h, InputWidth = w, Channels = c, OutputHeight = oh, OutputWidth = ow,
                FilterHeight = fh, FilterWidth = fw, StrideHeight = sh, StrideWidth = sw, PadTop = padTop, PadLeft = padLeft,
                ActivationMin = amin, ActivationMax = amax,
            };
            byte[] input = Int8(batches * h * w * c, PickFill());
            var output = new byte[batches * oh * ow * c];
            if (max) MaxPool2D.Eval(p, input, 0, output, 0);
            else AveragePool2D.Eval(p, input, 0, output, 0);
            int[] words =
            {
                p.Batches, p.InputHeight, p.InputWidth, p.Channels, p.OutputHeight, p.OutputWidth, p.FilterHeight,
                p.FilterWidth, p.StrideHeight, p.StrideWidth, p.PadTop, p.PadLeft, p.ActivationMin, p.ActivationMax,
            };
            _file.AddCase(max ? VectorFile.MaxPool2D : VectorFile.AveragePool2D,
                $"{(max ? "max" : "average")}_pool2d_{i}", words, input, output);
        }
    }

    // ---------- SOFTMAX ----------

    private void SoftmaxCases()
    {
        SoftmaxCase("511_equal_values", 1, 511, 0.1f, Fill.AllMax);
        SoftmaxCase("512_equal_values_tflm_limit", 1, 512, 0.1f, Fill.AllMin);
        SoftmaxCase("kws_like_12", 1, 12, 0.2f, Fill.Random);
        SoftmaxCase("extremes", 3, 10, 0.05f, Fill.Extremes);
        for (int i = 0; i < 20; i++)
        {
            SoftmaxCase($"random_{i}", _rng.Next(1, 5), _rng.Next(1, 200), Scale(0.002f, 0.5f), PickFill());
        }
    }

    private void SoftmaxCase(string name, int rows, int depth, float inputScale, Fill fill)
    {
        var p = new SoftmaxParams { Rows = rows, Depth = depth };
        TfliteQuantMath.Softmax(1.0f, inputScale, p);
        byte[] input = Int8(rows * depth, fill);
        var output = new byte[rows * depth];
        Softmax.Eval(p, input, 0, output, 0);
        _file.AddCase(VectorFile.Softmax, "softmax_" + name,
            new[] { p.Rows, p.Depth, p.InputMultiplier, p.InputLeftShift, p.DiffMin }, input, output);
    }

    private static byte[] Concat(byte[] a, byte[] b)
    {
        var r = new byte[a.Length + b.Length];
        a.CopyTo(r, 0);
        b.CopyTo(r, a.Length);
        return r;
    }
}
