using System;
using System.Runtime.Intrinsics;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd.Tests
{
    /// <summary>
    /// Random CONV_2D / FULLY_CONNECTED cases (fixed seeds) run through the SIMD kernel and the
    /// reference kernel (the oracle); shared by the in-process tests and the child-process ISA legs.
    /// Shapes: odd channel counts, padding, strides 1..3, dilation 1..2, per-channel and per-tensor
    /// requantization, with and without bias; data: random, all -128, all 127, zero points at -128 and 127.
    /// </summary>
    public static class RandomCases
    {
        static void Fill(Random r, byte[] a, int mode)
        {
            for (int i = 0; i < a.Length; i++)
                a[i] = mode == 1 ? (byte)0x80 : mode == 2 ? (byte)0x7F : (byte)r.Next(256);
        }

        /// <summary>multiplier table then shift table, as in a blob: TFLM-style multipliers in [2^30, 2^31), shifts in [-12, 1].</summary>
        static byte[] Quant(Random r, int n, out int multStart, out int shiftStart)
        {
            var q = new byte[8 * n + 8];
            multStart = 4; shiftStart = 4 + 4 * n;
            for (int i = 0; i < n; i++)
            {
                BitConverter.TryWriteBytes(q.AsSpan(multStart + 4 * i), (1 << 30) + r.Next(1 << 30));
                BitConverter.TryWriteBytes(q.AsSpan(shiftStart + 4 * i), -r.Next(13) + (r.Next(8) == 0 ? 1 : 0));
            }
            return q;
        }

        static byte[] Bias(Random r, int n, out int start)
        {
            start = r.Next(2) == 0 ? -1 : 3;
            var b = new byte[4 * n + 3];
            for (int i = 0; i < n; i++) BitConverter.TryWriteBytes(b.AsSpan(3 + 4 * i), r.Next(-40000, 40000));
            return b;
        }

        static int ZeroPointOffset(Random r, int c) => c % 5 == 3 ? 128 : c % 5 == 4 ? -127 : -r.Next(-128, 128);

        /// <summary>Runs one conv case; returns null when SIMD == reference, else a description.</summary>
        public static string Conv(int seed)
        {
            var r = new Random(seed);
            int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : 0;
            bool pointwise = seed % 4 == 0;
            var p = new ConvParams
            {
                Batches = 1 + r.Next(2), InputHeight = 1 + r.Next(9), InputWidth = 1 + r.Next(9), InputChannels = 1 + r.Next(pointwise ? 140 : 40),
                FilterHeight = pointwise ? 1 : 1 + r.Next(4), FilterWidth = pointwise ? 1 : 1 + r.Next(4),
                OutputChannels = 1 + r.Next(19), StrideHeight = 1 + r.Next(3), StrideWidth = 1 + r.Next(3),
                DilationHeight = 1 + r.Next(2), DilationWidth = 1 + r.Next(2),
                InputOffset = ZeroPointOffset(r, seed), OutputOffset = r.Next(-128, 128),
                ActivationMin = -128, ActivationMax = 127, RequantStride = r.Next(3) == 0 ? 0 : 1,
            };
            if (r.Next(3) == 0) { p.ActivationMin = r.Next(-128, 0); p.ActivationMax = r.Next(0, 128); }
            p.PadTop = pointwise ? 0 : r.Next(p.FilterHeight); p.PadLeft = pointwise ? 0 : r.Next(p.FilterWidth);
            int effH = (p.FilterHeight - 1) * p.DilationHeight + 1, effW = (p.FilterWidth - 1) * p.DilationWidth + 1;
            p.OutputHeight = Math.Max(1, (p.InputHeight + 2 * p.PadTop - effH) / p.StrideHeight + 1);
            p.OutputWidth = Math.Max(1, (p.InputWidth + 2 * p.PadLeft - effW) / p.StrideWidth + 1);
            int inStart = r.Next(5), fStart = r.Next(5), outStart = r.Next(5);
            var input = new byte[inStart + p.Batches * p.InputHeight * p.InputWidth * p.InputChannels];
            var filter = new byte[fStart + p.OutputChannels * p.FilterHeight * p.FilterWidth * p.InputChannels];
            Fill(r, input, mode); Fill(r, filter, mode);
            var bias = Bias(r, p.OutputChannels, out int biasStart);
            var quant = Quant(r, p.OutputChannels, out int ms, out int ss);
            int outLen = outStart + p.Batches * p.OutputHeight * p.OutputWidth * p.OutputChannels;
            var expected = new byte[outLen]; var actual = new byte[outLen];
            Reference.Conv2D.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, expected, outStart);
            Simd.Conv2D.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, actual, outStart);
            return Diff(expected, actual, $"conv seed {seed}: in {p.InputHeight}x{p.InputWidth}x{p.InputChannels} k {p.FilterHeight}x{p.FilterWidth} " +
                $"s {p.StrideHeight},{p.StrideWidth} d {p.DilationHeight},{p.DilationWidth} pad {p.PadTop},{p.PadLeft} cout {p.OutputChannels} off {p.InputOffset}");
        }

        /// <summary>One depthwise case (depth multiplier 1 mostly; 2..8 on every ninth/eighth seed, as micro_speech's 8).</summary>
        public static string Depthwise(int seed)
        {
            var r = new Random(seed + 100000);
            int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : 0;
            var p = new ConvParams
            {
                Batches = 1 + r.Next(2), InputHeight = 1 + r.Next(9), InputWidth = 1 + r.Next(9), InputChannels = 1 + r.Next(70),
                FilterHeight = 1 + r.Next(4), FilterWidth = 1 + r.Next(4), DepthMultiplier = seed % 9 == 8 ? 2 : seed % 9 == 7 ? 3 + seed % 6 : 1,
                StrideHeight = 1 + r.Next(3), StrideWidth = 1 + r.Next(3), DilationHeight = 1 + r.Next(2), DilationWidth = 1 + r.Next(2),
                InputOffset = ZeroPointOffset(r, seed), OutputOffset = r.Next(-128, 128),
                ActivationMin = -128, ActivationMax = 127, RequantStride = r.Next(3) == 0 ? 0 : 1,
            };
            p.OutputChannels = p.InputChannels * p.DepthMultiplier;
            p.PadTop = r.Next(p.FilterHeight); p.PadLeft = r.Next(p.FilterWidth);
            int effH = (p.FilterHeight - 1) * p.DilationHeight + 1, effW = (p.FilterWidth - 1) * p.DilationWidth + 1;
            p.OutputHeight = Math.Max(1, (p.InputHeight + 2 * p.PadTop - effH) / p.StrideHeight + 1);
            p.OutputWidth = Math.Max(1, (p.InputWidth + 2 * p.PadLeft - effW) / p.StrideWidth + 1);
            int inStart = r.Next(5), fStart = r.Next(5), outStart = r.Next(5);
            var input = new byte[inStart + p.Batches * p.InputHeight * p.InputWidth * p.InputChannels];
            var filter = new byte[fStart + p.FilterHeight * p.FilterWidth * p.OutputChannels];
            Fill(r, input, mode); Fill(r, filter, mode);
            var bias = Bias(r, p.OutputChannels, out int biasStart);
            var quant = Quant(r, p.OutputChannels, out int ms, out int ss);
            int outLen = outStart + p.Batches * p.OutputHeight * p.OutputWidth * p.OutputChannels;
            var expected = new byte[outLen]; var actual = new byte[outLen];
            Reference.DepthwiseConv2D.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, expected, outStart);
            Simd.DepthwiseConv2D.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, actual, outStart);
            return Diff(expected, actual, $"depthwise seed {seed}: in {p.InputHeight}x{p.InputWidth}x{p.InputChannels} k {p.FilterHeight}x{p.FilterWidth} " +
                $"s {p.StrideHeight},{p.StrideWidth} d {p.DilationHeight},{p.DilationWidth} pad {p.PadTop},{p.PadLeft} m {p.DepthMultiplier} off {p.InputOffset}");
        }

        /// <summary>
        /// Round 4 (vww_96's small-channel layers): CONV_2D with dot lengths 1..16 and 27 (pointwise, 3x3
        /// stride 2 im2col rows; more output pixels than one group of 8, odd pixel counts, Cout 1..20) and
        /// DEPTHWISE_CONV_2D with channels 1..16, 24, 32, 40, 128 (the AVX2 tap pairs for multiples of 8:
        /// interior runs, border pixels reading the pad row), padding, strides 1..2, dilation, edge data,
        /// zero points at the limits, extreme biases and left shifts. Returns the number of cases.
        /// </summary>
        public static int SmallChannelSweep()
        {
            int n = 0;
            int[] dwChannels = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 32, 40, 128 };
            for (int seed = 0; seed < 240; seed++, n++)
            {
                var r = new Random(seed + 500000);
                int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : 0;
                int c = dwChannels[seed % dwChannels.Length];
                int k = seed % 5 == 4 ? 1 + r.Next(4) : 3;
                var p = new ConvParams
                {
                    Batches = 1 + r.Next(2), InputHeight = 1 + r.Next(13), InputWidth = 1 + r.Next(13), InputChannels = c,
                    FilterHeight = k, FilterWidth = seed % 11 == 10 ? 1 + r.Next(4) : k, DepthMultiplier = 1,
                    StrideHeight = 1 + r.Next(2), StrideWidth = 1 + r.Next(2), DilationHeight = seed % 13 == 12 ? 2 : 1, DilationWidth = seed % 17 == 16 ? 2 : 1,
                    InputOffset = ZeroPointOffset(r, seed), OutputOffset = r.Next(-128, 128),
                    ActivationMin = -128, ActivationMax = 127, RequantStride = r.Next(3) == 0 ? 0 : 1, OutputChannels = c,
                };
                if (r.Next(3) == 0) { p.ActivationMin = r.Next(-128, 0); p.ActivationMax = r.Next(0, 128); }
                p.PadTop = r.Next(p.FilterHeight); p.PadLeft = r.Next(p.FilterWidth);
                string d = RunConvLike(r, seed, p, mode, depthwise: true);
                if (d != null) throw new Exception(d);
            }
            int[] dots = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
            for (int seed = 0; seed < 240; seed++, n++)
            {
                var r = new Random(seed + 600000);
                int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : 0;
                bool pointwise = seed % 2 == 0;
                int cin = pointwise ? dots[seed / 2 % dots.Length] : 1 + r.Next(3);
                var p = new ConvParams
                {
                    Batches = 1 + r.Next(2), InputHeight = 1 + r.Next(15), InputWidth = 1 + r.Next(15), InputChannels = cin,
                    FilterHeight = pointwise ? 1 : 3, FilterWidth = pointwise ? 1 : 3,
                    OutputChannels = 1 + r.Next(20), StrideHeight = pointwise ? 1 + r.Next(2) : 2, StrideWidth = pointwise ? 1 + r.Next(2) : 2,
                    DilationHeight = 1, DilationWidth = 1,
                    InputOffset = ZeroPointOffset(r, seed), OutputOffset = r.Next(-128, 128),
                    ActivationMin = -128, ActivationMax = 127, RequantStride = r.Next(3) == 0 ? 0 : 1,
                };
                if (r.Next(3) == 0) { p.ActivationMin = r.Next(-128, 0); p.ActivationMax = r.Next(0, 128); }
                p.PadTop = pointwise ? 0 : r.Next(2); p.PadLeft = pointwise ? 0 : r.Next(2);
                string d = RunConvLike(r, seed, p, mode, depthwise: false);
                if (d != null) throw new Exception(d);
            }
            return n;
        }

        /// <summary>
        /// Round 4 (micro_speech): DEPTHWISE_CONV_2D with 1..3 input channels and DepthMultiplier 2..8 (Cin 1:
        /// the single-channel patch-dot form, Cout 2..8 with partial blocks of 8, rows read in place for kW ≤ 8, the
        /// patch copy for kW 9..12 and dilation; Cin &gt; 1 with Cout a multiple
        /// of 8: the tap pairs over the expanded band, interior runs and border pixels), kernels up to 10x8,
        /// strides 1..2, dilation, padding up to the kernel, images smaller than the kernel, edge data, zero
        /// points at the limits, extreme biases and left shifts; seed 0 is micro_speech's own shape. Returns the number of cases.
        /// </summary>
        public static int DepthMultiplierSweep()
        {
            int n = 0;
            for (int seed = 0; seed < 210; seed++, n++)
            {
                var r = new Random(seed + 700000);
                int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : 0;
                int cin = 1 + seed % 3, m = 2 + seed / 3 % 7;
                int kh = seed % 4 == 0 ? 10 : 1 + r.Next(10), kw = seed % 4 == 0 ? 8 : seed % 6 == 3 ? 9 + r.Next(4) : 1 + r.Next(8); // kW > 8: the patch copy
                var p = new ConvParams
                {
                    Batches = 1 + r.Next(2), InputHeight = 1 + r.Next(20), InputWidth = 1 + r.Next(20), InputChannels = cin,
                    FilterHeight = kh, FilterWidth = kw, DepthMultiplier = m, OutputChannels = cin * m,
                    StrideHeight = 1 + r.Next(2), StrideWidth = 1 + r.Next(2), DilationHeight = seed % 13 == 12 ? 2 : 1, DilationWidth = seed % 11 == 10 ? 2 : 1,
                    InputOffset = ZeroPointOffset(r, seed), OutputOffset = r.Next(-128, 128),
                    ActivationMin = -128, ActivationMax = 127, RequantStride = r.Next(3) == 0 ? 0 : 1,
                };
                if (r.Next(3) == 0) { p.ActivationMin = r.Next(-128, 0); p.ActivationMax = r.Next(0, 128); }
                p.PadTop = r.Next(p.FilterHeight); p.PadLeft = r.Next(p.FilterWidth);
                if (seed == 0)
                {
                    p.Batches = 1; p.InputHeight = 49; p.InputWidth = 40; p.InputChannels = 1; p.DepthMultiplier = 8; p.OutputChannels = 8;
                    p.StrideHeight = p.StrideWidth = 2; p.DilationHeight = p.DilationWidth = 1; p.PadTop = 4; p.PadLeft = 3;
                }
                string d = RunConvLike(r, seed, p, mode, depthwise: true);
                if (d != null) throw new Exception(d);
            }
            return n;
        }

        static string RunConvLike(Random r, int seed, ConvParams p, int mode, bool depthwise)
        {
            int effH = (p.FilterHeight - 1) * p.DilationHeight + 1, effW = (p.FilterWidth - 1) * p.DilationWidth + 1;
            p.OutputHeight = Math.Max(1, (p.InputHeight + 2 * p.PadTop - effH) / p.StrideHeight + 1);
            p.OutputWidth = Math.Max(1, (p.InputWidth + 2 * p.PadLeft - effW) / p.StrideWidth + 1);
            int inStart = r.Next(5), fStart = r.Next(5), outStart = r.Next(5);
            var input = new byte[inStart + p.Batches * p.InputHeight * p.InputWidth * p.InputChannels];
            var filter = new byte[fStart + p.FilterHeight * p.FilterWidth * p.OutputChannels * (depthwise ? 1 : p.InputChannels)];
            Fill(r, input, mode); Fill(r, filter, seed % 5 == 2 ? 1 + seed / 5 % 2 : mode);
            var bias = Bias(r, p.OutputChannels, out int biasStart);
            if (seed % 6 == 1 && biasStart >= 0) // extreme biases: the int32 wrap of acc + bias
                for (int i = 0; i < p.OutputChannels; i++) BitConverter.TryWriteBytes(bias.AsSpan(biasStart + 4 * i), i % 2 == 0 ? int.MaxValue : int.MinValue);
            var quant = Quant(r, p.OutputChannels, out int ms, out int ss);
            if (seed % 8 == 3) // left shifts: the wrapping x · 2^left
                for (int i = 0; i < p.OutputChannels; i++) BitConverter.TryWriteBytes(quant.AsSpan(ss + 4 * i), 1 + r.Next(3));
            int outLen = outStart + p.Batches * p.OutputHeight * p.OutputWidth * p.OutputChannels;
            var expected = new byte[outLen]; var actual = new byte[outLen];
            if (depthwise)
            {
                Reference.DepthwiseConv2D.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, expected, outStart);
                Simd.DepthwiseConv2D.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, actual, outStart);
            }
            else
            {
                Reference.Conv2D.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, expected, outStart);
                Simd.Conv2D.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, actual, outStart);
            }
            return Diff(expected, actual, $"small-channel {(depthwise ? "depthwise" : "conv")} seed {seed}: in {p.Batches}x{p.InputHeight}x{p.InputWidth}x{p.InputChannels} " +
                $"k {p.FilterHeight}x{p.FilterWidth} s {p.StrideHeight},{p.StrideWidth} d {p.DilationHeight},{p.DilationWidth} pad {p.PadTop},{p.PadLeft} cout {p.OutputChannels} off {p.InputOffset}");
        }

        /// <summary>One fully-connected case; depth (the dot length) given so sweeps cover 0..4×16+1.</summary>
        public static string FullyConnected(int seed, int depth)
        {
            var r = new Random(seed * 7919 + depth);
            int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : 0;
            var p = new FullyConnectedParams
            {
                Batches = 1 + r.Next(3), AccumDepth = depth, OutputDepth = 1 + r.Next(13),
                InputOffset = ZeroPointOffset(r, seed), OutputOffset = r.Next(-128, 128),
                ActivationMin = -128, ActivationMax = 127, RequantStride = r.Next(2),
            };
            int inStart = r.Next(5), fStart = r.Next(5), outStart = r.Next(5);
            var input = new byte[inStart + p.Batches * depth];
            var filter = new byte[fStart + p.OutputDepth * depth];
            Fill(r, input, mode); Fill(r, filter, mode);
            var bias = Bias(r, p.OutputDepth, out int biasStart);
            var quant = Quant(r, p.OutputDepth, out int ms, out int ss);
            int outLen = outStart + p.Batches * p.OutputDepth;
            var expected = new byte[outLen]; var actual = new byte[outLen];
            Reference.FullyConnected.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, expected, outStart);
            Simd.FullyConnected.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, actual, outStart);
            return Diff(expected, actual, $"fc seed {seed} depth {depth} off {p.InputOffset}");
        }


        /// <summary>
        /// One fully-connected case with <paramref name="outDepth"/> output channels (the 8-channel blocks'
        /// tails): batches 1..3, zero points at the limits (offset 128 / -127 every fifth seed), per-channel
        /// and shared (stride 0) requantization, clamped activation ranges on every third seed.
        /// </summary>
        public static string FullyConnectedOut(int seed, int depth, int outDepth)
        {
            var r = new Random(seed * 104729 + depth * 31 + outDepth);
            int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : 0;
            int lo = seed % 3 == 1 ? r.Next(-128, 0) : -128, hi = seed % 3 == 1 ? r.Next(0, 128) : 127;
            var p = new FullyConnectedParams
            {
                Batches = 1 + seed % 3, AccumDepth = depth, OutputDepth = outDepth,
                InputOffset = ZeroPointOffset(r, seed), OutputOffset = seed % 4 == 2 ? -128 : seed % 4 == 3 ? 127 : r.Next(-128, 128),
                ActivationMin = lo, ActivationMax = hi, RequantStride = seed % 2,
            };
            int inStart = r.Next(5), fStart = r.Next(5), outStart = r.Next(5);
            var input = new byte[inStart + p.Batches * depth];
            var filter = new byte[fStart + p.OutputDepth * depth];
            Fill(r, input, mode); Fill(r, filter, mode);
            var bias = Bias(r, p.OutputDepth, out int biasStart);
            var quant = Quant(r, p.OutputDepth, out int ms, out int ss);
            int outLen = outStart + p.Batches * p.OutputDepth + 3;
            var expected = new byte[outLen]; var actual = new byte[outLen];
            Reference.FullyConnected.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, expected, outStart);
            Simd.FullyConnected.Eval(p, input, inStart, filter, fStart, bias, biasStart, quant, ms, ss, actual, outStart);
            return Diff(expected, actual, $"fc seed {seed} depth {depth} out {outDepth} batches {p.Batches} off {p.InputOffset} stride {p.RequantStride}");
        }

        /// <summary>The FULLY_CONNECTED output-count sweep: depths 0..65 and longer ones × output counts 1..20.</summary>
        public static int FullyConnectedOutSweep()
        {
            int n = 0;
            int[] longDepths = { 96, 127, 128, 129, 160, 255, 640, 1001 };
            for (int outDepth = 1; outDepth <= 20; outDepth++)
            {
                for (int depth = 0; depth <= 4 * 16 + 1; depth++, n++)
                {
                    var d = FullyConnectedOut(depth * 20 + outDepth, depth, outDepth);
                    if (d != null) throw new Exception(d);
                }
                foreach (int depth in longDepths)
                    for (int seed = 0; seed < 5; seed++, n++)
                    {
                        var d = FullyConnectedOut(seed + outDepth, depth, outDepth);
                        if (d != null) throw new Exception(d);
                    }
            }
            return n;
        }

        /// <summary>
        /// One int8 ADD case: length <paramref name="length"/> (same shapes) or, every fifth seed, a
        /// broadcast case (reference fallback, still compared). Parameters as TFLM prepares them
        /// (LeftShift 20, multipliers in [2^30, 2^31), non-positive shifts) with edges mixed in: zero
        /// points at -128/127, shifts 0 and -31, multipliers 0, 1 and int.MaxValue, LeftShift 0..31
        /// (wrapping), clamped activation ranges, unaligned starts, all -128 / all 127 data.
        /// </summary>
        public static string Add(int seed, int length)
        {
            var r = new Random(seed * 104729 + length);
            int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : seed % 7 == 4 ? 3 : 0;
            int Mult() => seed % 11 == 3 ? new[] { 0, 1, int.MaxValue }[r.Next(3)] : (1 << 30) + r.Next(1 << 30);
            int Shift() => seed % 13 == 2 ? new[] { 0, -31 }[r.Next(2)] : -r.Next(20);
            int Zp() => seed % 5 == 1 ? 128 : seed % 5 == 2 ? -127 : -r.Next(-128, 128);
            var p = new AddParams
            {
                LeftShift = seed % 17 == 9 ? r.Next(32) : 20,
                Input1Offset = Zp(), Input1Multiplier = Mult(), Input1Shift = Shift(),
                Input2Offset = Zp(), Input2Multiplier = Mult(), Input2Shift = Shift(),
                OutputOffset = r.Next(-128, 128), OutputMultiplier = Mult(), OutputShift = Shift(),
                ActivationMin = -128, ActivationMax = 127, FlatSize = length,
            };
            if (r.Next(3) == 0) { p.ActivationMin = r.Next(-128, 0); p.ActivationMax = r.Next(0, 128); }
            int n1 = length, n2 = length, no = length;
            if (seed % 5 == 0)
            {
                // broadcast: output [d0..d3], each input dimension 1 or the output's
                p.Broadcast = true;
                p.OutputShape = new[] { 1 + r.Next(2), 1 + r.Next(3), 1 + r.Next(4), 1 + r.Next(9) };
                p.Input1Shape = new int[4]; p.Input2Shape = new int[4];
                for (int d = 0; d < 4; d++) { p.Input1Shape[d] = r.Next(2) == 0 ? 1 : p.OutputShape[d]; p.Input2Shape[d] = r.Next(2) == 0 ? 1 : p.OutputShape[d]; }
                n1 = p.Input1Shape[0] * p.Input1Shape[1] * p.Input1Shape[2] * p.Input1Shape[3];
                n2 = p.Input2Shape[0] * p.Input2Shape[1] * p.Input2Shape[2] * p.Input2Shape[3];
                no = p.OutputShape[0] * p.OutputShape[1] * p.OutputShape[2] * p.OutputShape[3];
                p.FlatSize = no;
            }
            int s1 = r.Next(5), s2 = r.Next(5), so = r.Next(5);
            var a = new byte[s1 + n1]; var b = new byte[s2 + n2];
            if (mode == 3) { for (int i = 0; i < a.Length; i++) a[i] = (byte)(i % 2 == 0 ? 0x80 : 0x7F); for (int i = 0; i < b.Length; i++) b[i] = (byte)(i % 3 == 0 ? 0x7F : 0x80); }
            else { Fill(r, a, mode); Fill(r, b, mode); }
            var expected = new byte[so + no + 3]; var actual = new byte[so + no + 3];
            for (int i = 0; i < expected.Length; i++) expected[i] = actual[i] = (byte)(i * 37);
            Reference.Add.Eval(p, a, s1, b, s2, expected, so);
            Simd.Add.Eval(p, a, s1, b, s2, actual, so);
            return Diff(expected, actual, $"add seed {seed} length {length} broadcast {p.Broadcast} shifts {p.LeftShift},{p.Input1Shift},{p.Input2Shift},{p.OutputShift} offsets {p.Input1Offset},{p.Input2Offset}");
        }

        /// <summary>
        /// One same-shape int8 ADD case with parameters straddling the limits of the AVX2 32-per-step path
        /// (<see cref="Simd.Add.NarrowSupported"/>), compared with the reference on both sides of each limit;
        /// <paramref name="narrow"/> tells whether the case was on the narrow path. Seeds cycle through kinds:
        /// 0, 1: general edges (LeftShift 8 / 9 / 20 / 21 / random, input multipliers 0 / 1 / 2^30 /
        /// int.MaxValue / random, input shifts 0 / 1 / around the largest whose folded constant fits, output
        /// shifts around the largest that fits with the output offset, input offsets −127 / 128, output
        /// multipliers 0 / 1 / int.MaxValue / int.MinValue, clamped ranges);
        /// 2: input-stage overflow corner: LeftShift 7 / 8 / 9, int.MaxValue multipliers, |x + offset| = 255
        /// (offset 128 with 127 data, −127 with −128), input shift at and just above its limit, the output scaled
        /// so the largest sum maps to about ±100 (an input-stage error is not hidden by saturation);
        /// 3: output-stage overflow corner: LeftShift 20 / 21 / 22, int.MaxValue multipliers everywhere, input
        /// shifts 0, both inputs at ±255, output offset of the same sign, output shift at and above its limit;
        /// 4: sign corner: small and negative input multipliers (−1, 0, 1, 2^(k−1) ± 1, ±2^k, ±3·2^k: rounding ties
        /// of either sign), x + offset near 0.
        /// Data: random with extra -128/127, all -128, all 127, alternating (kinds 0, 1), as described (2, 3, 4).
        /// </summary>
        public static string AddNarrow(int seed, int length, out bool narrow)
        {
            var r = new Random(seed * 15485863 + length);
            int kind = seed % 5;
            int mode = seed / 5 % 4; // kinds 0, 1: random (with extra edges), all -128, all 127, alternating
            int left = kind == 2 ? 7 + r.Next(3) : kind == 3 ? 20 + r.Next(3) : new[] { 8, 9, 20, 21, 20, 8 + r.Next(14) }[r.Next(6)];
            int k = 31 - left;
            int half = 1 << (k - 1);
            int EMax()
            {
                int e = 0;
                while (e < 31 && Simd.Add.InputFoldFits(k, e + 1)) e++;
                return e;
            }
            int InMult() => kind == 2 || kind == 3 ? int.MaxValue
                : kind == 4 ? new[] { -1, 0, 1, half - 1, half, half + 1, int.MinValue, -2 * half, -6 * half, 2 * half, 6 * half }[r.Next(11)]
                : new[] { 0, 1, 1 << 30, int.MaxValue, r.Next(), r.Next() }[r.Next(6)];
            int InShift() => -Math.Min(31, kind == 2 ? EMax() + r.Next(2) : kind == 3 ? 0 : kind == 4 ? r.Next(3)
                : new[] { 0, Math.Min(1, EMax()), EMax(), EMax(), r.Next(EMax() + 1), EMax() + 1 }[r.Next(6)]);
            bool positive = r.Next(2) == 0; // kinds 2, 3: the sign of x + offset at the corner
            int Zp() => kind == 2 || kind == 3 ? (positive ? 128 : -127) : kind == 4 ? r.Next(-2, 3)
                : seed % 3 == 1 ? 128 : seed % 3 == 2 ? -127 : -r.Next(-128, 128);
            var p = new AddParams
            {
                LeftShift = left,
                Input1Offset = Zp(), Input1Multiplier = InMult(), Input1Shift = InShift(),
                Input2Offset = Zp(), Input2Multiplier = InMult(), Input2Shift = InShift(),
                OutputOffset = kind == 3 ? (positive ? 127 : -128) : seed % 4 == 2 ? -128 : seed % 4 == 3 ? 127 : r.Next(-128, 128),
                OutputMultiplier = kind == 3 ? int.MaxValue : seed % 6 == 5 ? new[] { 0, 1, int.MaxValue, int.MinValue }[r.Next(4)] : (1 << 30) + r.Next(1 << 30),
                ActivationMin = -128, ActivationMax = 127, FlatSize = length,
            };
            int eoMax = 0;
            while (eoMax < 31 && Simd.Add.OutputFoldFits(eoMax + 1, p.OutputOffset)) eoMax++;
            p.OutputShift = -Math.Min(31, kind == 3 ? eoMax + r.Next(2) : new[] { 0, 1, eoMax, r.Next(eoMax + 1), eoMax - 1, eoMax + 1 }[r.Next(6)]);
            if (kind == 2)
            {
                // Scale the output so the largest sum lands near ±100, unclamped: an error in the input stage shows.
                int s1Max = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked(255 * (1 << left)), p.Input1Multiplier, p.Input1Shift);
                int s2Max = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked(255 * (1 << left)), p.Input2Multiplier, p.Input2Shift);
                p.OutputOffset = 0;
                p.OutputShift = 0;
                while (p.OutputShift > -31 && Math.Abs(FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(unchecked(s1Max + s2Max), p.OutputMultiplier, p.OutputShift)) > 100)
                    p.OutputShift--;
            }
            if (kind < 2 && r.Next(3) == 0) { p.ActivationMin = r.Next(-128, 0); p.ActivationMax = r.Next(0, 128); }
            narrow = Simd.Add.NarrowSupported(p);
            int s1 = r.Next(5), s2 = r.Next(5), so = r.Next(5);
            var a = new byte[s1 + length]; var b = new byte[s2 + length];
            byte Data()
            {
                if (kind == 2 || kind == 3) return (byte)(r.Next(4) != 0 ? (positive ? 0x7F : 0x80) : r.Next(256));
                if (kind == 4) return (byte)(r.Next(-3, 3));
                return (byte)(mode == 1 ? 0x80 : mode == 2 ? 0x7F : r.Next(4) == 0 ? 0x7F : r.Next(4) == 0 ? 0x80 : r.Next(256));
            }
            for (int i = 0; i < a.Length; i++) a[i] = mode == 3 && kind < 2 ? (byte)(i % 2 == 0 ? 0x80 : 0x7F) : Data();
            for (int i = 0; i < b.Length; i++) b[i] = mode == 3 && kind < 2 ? (byte)(i % 3 == 0 ? 0x7F : 0x80) : Data();
            var expected = new byte[so + length + 3]; var actual = new byte[so + length + 3];
            for (int i = 0; i < expected.Length; i++) expected[i] = actual[i] = (byte)(i * 37);
            Reference.Add.Eval(p, a, s1, b, s2, expected, so);
            Simd.Add.Eval(p, a, s1, b, s2, actual, so);
            return Diff(expected, actual, $"add narrow seed {seed} length {length} narrow {narrow} shifts {p.LeftShift},{p.Input1Shift},{p.Input2Shift},{p.OutputShift} " +
                $"mults {p.Input1Multiplier},{p.Input2Multiplier},{p.OutputMultiplier} offsets {p.Input1Offset},{p.Input2Offset},{p.OutputOffset} act {p.ActivationMin},{p.ActivationMax}");
        }

        /// <summary>
        /// The narrow ADD sweep: lengths 0..65 × 60 seeds and 40 long ones; returns the number of cases and,
        /// in <paramref name="narrowCases"/>, how many were on the narrow path (AVX2 machines only).
        /// </summary>
        public static int AddNarrowSweep(out int narrowCases)
        {
            int n = 0;
            narrowCases = 0;
            for (int length = 0; length <= 4 * 16 + 1; length++)
                for (int seed = 0; seed < 60; seed++, n++)
                {
                    var d = AddNarrow(seed, length, out bool narrow);
                    if (d != null) throw new Exception(d);
                    if (narrow) narrowCases++;
                }
            for (int seed = 0; seed < 40; seed++, n++)
            {
                var d = AddNarrow(seed, 1000 + 61 * seed, out bool narrow);
                if (d != null) throw new Exception(d);
                if (narrow) narrowCases++;
            }
            return n;
        }

        /// <summary>
        /// One LOGISTIC case: every int8 input value (in a shuffled order, plus <paramref name="length"/> more random
        /// ones, unaligned) under edge parameters: input offsets −127 / 0 / 128 / random, range radius 0 / 1 /
        /// small / 255 / 256 / 257 / int.MaxValue, multipliers 0 / 1 / 2^30 / int.MaxValue / random, left shifts
        /// 0..30 (TFLM: the multiplier is input_scale·2^(27+shift) normalized, so shifts around 0..8 with large
        /// multipliers are the usual case).
        /// </summary>
        public static string Logistic(int seed, int length)
        {
            var r = new Random(seed * 92821 + length);
            var p = new FixedPointActivationParams
            {
                InputOffset = seed % 5 == 1 ? 128 : seed % 5 == 2 ? -127 : seed % 5 == 3 ? 0 : -r.Next(-128, 128),
                InputRangeRadius = seed % 7 == 0 ? new[] { 0, 1, 255, 256, 257, int.MaxValue }[r.Next(6)] : r.Next(1, 200),
                InputMultiplier = seed % 6 == 0 ? new[] { 0, 1, 1 << 30, int.MaxValue }[r.Next(4)] : (1 << 30) + r.Next(1 << 30),
                InputLeftShift = seed % 4 == 0 ? r.Next(31) : r.Next(9),
            };
            int n = 256 + length;
            p.Size = n;
            int inS = r.Next(9), outS = r.Next(9);
            var input = new byte[inS + n];
            for (int i = 0; i < 256; i++) input[inS + i] = (byte)i;
            for (int i = 255; i > 0; i--) { int j = r.Next(i + 1); (input[inS + i], input[inS + j]) = (input[inS + j], input[inS + i]); }
            for (int i = 256; i < n; i++) input[inS + i] = (byte)r.Next(256);
            var expected = new byte[outS + n + 3]; var actual = new byte[outS + n + 3];
            for (int i = 0; i < expected.Length; i++) expected[i] = actual[i] = (byte)(i * 37);
            Reference.Logistic.Eval(p, input, inS, expected, outS);
            Simd.Logistic.Eval(p, input, inS, actual, outS);
            return Diff(expected, actual, $"logistic seed {seed} length {n} offset {p.InputOffset} radius {p.InputRangeRadius} mult {p.InputMultiplier} shift {p.InputLeftShift}");
        }

        /// <summary>Short lengths (0..65, each a prefix of a shuffled sweep) and the all-values cases; returns the count.</summary>
        public static int LogisticSweep()
        {
            int n = 0;
            for (int seed = 0; seed < 300; seed++, n++) { var d = Logistic(seed, seed % 40); if (d != null) throw new Exception(d); }
            for (int length = 0; length <= 4 * 16 + 1; length++, n++)
            {
                var r = new Random(length);
                var p = new FixedPointActivationParams { InputOffset = -r.Next(-128, 128), InputRangeRadius = r.Next(1, 300), InputMultiplier = (1 << 30) + r.Next(1 << 30), InputLeftShift = r.Next(8), Size = length };
                var input = new byte[length + 1];
                for (int i = 0; i < input.Length; i++) input[i] = (byte)r.Next(256);
                var expected = new byte[length + 4]; var actual = new byte[length + 4];
                Reference.Logistic.Eval(p, input, 1, expected, 2);
                Simd.Logistic.Eval(p, input, 1, actual, 2);
                var d = Diff(expected, actual, $"logistic length {length}");
                if (d != null) throw new Exception(d);
            }
            return n;
        }

        /// <summary>
        /// One MAX_POOL_2D or AVERAGE_POOL_2D case: random batches, image, channels 1..70 (vector blocks and
        /// tails), filter, stride and padding (including windows clipped at every border, filters larger
        /// than the image, and a padding so large that some windows are empty), edge inputs and activation
        /// ranges. Returns null when SIMD == reference.
        /// </summary>
        public static string Pool(int seed, bool average)
        {
            var r = new Random(seed * 7919 + (average ? 1 : 0));
            int mode = seed % 9 == 7 ? 1 : seed % 9 == 8 ? 2 : 0;
            var p = new PoolParams
            {
                Batches = 1 + r.Next(2), InputHeight = 1 + r.Next(9), InputWidth = 1 + r.Next(9),
                Channels = seed % 4 == 0 ? 1 + r.Next(70) : new[] { 1, 15, 16, 17, 32, 33, 64 }[r.Next(7)],
                FilterHeight = 1 + r.Next(5), FilterWidth = 1 + r.Next(5), StrideHeight = 1 + r.Next(3), StrideWidth = 1 + r.Next(3),
                ActivationMin = -128, ActivationMax = 127,
            };
            if (seed % 20 == 13) { p.FilterHeight = 12; p.FilterWidth = 11; } // wider than the image: every window clipped
            p.PadTop = seed % 31 == 5 ? p.FilterHeight + 2 : r.Next(p.FilterHeight); // the former leaves some windows empty
            p.PadLeft = r.Next(p.FilterWidth);
            p.OutputHeight = Math.Max(1, (p.InputHeight + 2 * p.PadTop - p.FilterHeight) / p.StrideHeight + 1);
            p.OutputWidth = Math.Max(1, (p.InputWidth + 2 * p.PadLeft - p.FilterWidth) / p.StrideWidth + 1);
            if (r.Next(3) == 0) { p.ActivationMin = r.Next(-128, 0); p.ActivationMax = r.Next(0, 128); }
            int s = r.Next(5), so = r.Next(5);
            var input = new byte[s + p.Batches * p.InputHeight * p.InputWidth * p.Channels];
            Fill(r, input, mode);
            int n = p.Batches * p.OutputHeight * p.OutputWidth * p.Channels;
            var expected = new byte[so + n + 3]; var actual = new byte[so + n + 3];
            for (int i = 0; i < expected.Length; i++) expected[i] = actual[i] = (byte)(i * 37);
            if (average) { Reference.AveragePool2D.Eval(p, input, s, expected, so); Simd.AveragePool2D.Eval(p, input, s, actual, so); }
            else { Reference.MaxPool2D.Eval(p, input, s, expected, so); Simd.MaxPool2D.Eval(p, input, s, actual, so); }
            return Diff(expected, actual, $"{(average ? "average" : "max")} pool seed {seed} in {p.Batches}x{p.InputHeight}x{p.InputWidth}x{p.Channels} filter {p.FilterHeight}x{p.FilterWidth} stride {p.StrideHeight},{p.StrideWidth} pad {p.PadTop},{p.PadLeft}");
        }

        /// <summary>
        /// <see cref="Requant"/> against <see cref="FixedPoint.RequantizeChannel(int, byte[], int, byte[], int, int, int, int, int, int, int)"/>:
        /// every shift -31..30 × edge multipliers (0, 1, 2^30, 2^31-1, int.MinValue, -1, random) × edge
        /// accumulators (int.MinValue, int.MaxValue, ±1, 0, rounding ties, random) × bias (none, int.MaxValue wrap),
        /// unclamped and clamped, 1..4 valid lanes. Returns the number of values checked; throws on the first mismatch.
        /// </summary>
        public static unsafe int RequantSweep()
        {
            var r = new Random(77);
            int[] mults = { 0, 1, 1 << 30, int.MaxValue, int.MinValue, -1, (1 << 30) + 12345, 1518500250, r.Next(), -r.Next() };
            var accs = new System.Collections.Generic.List<int> { int.MinValue, int.MinValue + 1, int.MaxValue, int.MaxValue - 1, -1, 0, 1, 2, -2, 3, -3 };
            for (int e = 1; e < 31; e++) { accs.Add(1 << e); accs.Add(-(1 << e)); accs.Add((1 << e) + (1 << (e - 1))); accs.Add(-(1 << e) - (1 << (e - 1))); accs.Add((1 << (e - 1)) - 1); }
            for (int k = 0; k < 40; k++) accs.Add(r.Next(int.MinValue, int.MaxValue));
            int n = 0;
            var quant = new byte[8 * 4 + 5];
            var bias = new byte[4 * 4 + 1];
            int* table = stackalloc int[Requant.IntsPerBlock];
            foreach (bool clamped in new[] { false, true })
            for (int shift = -31; shift <= 30; shift++)
            foreach (int m in mults)
            for (int bmode = 0; bmode < 2; bmode++)
            {
                int count = 1 + (n / 4 % 4), quantStride = shift % 2 == 0 ? 1 : 0;
                int ms = 1, ss = 1 + 16, biasStart = bmode == 0 ? -1 : 1;
                for (int k = 0; k < 4; k++)
                {
                    // lane k: multiplier m and shift, except lanes 1/3 use neighbours so lanes differ
                    int mk = k % 2 == 0 ? m : mults[(k + shift + 40) % mults.Length];
                    int sk = k % 2 == 0 ? shift : (shift + 7 * k + 62) % 62 - 31;
                    BitConverter.TryWriteBytes(quant.AsSpan(ms + 4 * k), mk);
                    BitConverter.TryWriteBytes(quant.AsSpan(ss + 4 * k), sk);
                    BitConverter.TryWriteBytes(bias.AsSpan(1 + 4 * k), k == 0 ? int.MaxValue : k == 1 ? int.MinValue : r.Next(int.MinValue, int.MaxValue));
                }
                Requant.Build(table, count, bias, biasStart, quant, ms, ss, quantStride);
                int outOff = clamped ? r.Next(-128, 128) : 0, min = clamped ? -128 : int.MinValue, max = clamped ? 127 : int.MaxValue;
                if (!clamped) outOff = 0;
                for (int a = 0; a < accs.Count; a++)
                {
                    var acc = Vector128.Create(accs[a], accs[(a + 1) % accs.Count], accs[(a + 7) % accs.Count], accs[(a + 13) % accs.Count]);
                    var got = Requant.Apply(acc, table, Vector128.Create(outOff), Vector128.Create(min), Vector128.Create(max));
                    for (int k = 0; k < count; k++, n++)
                    {
                        int want = FixedPoint.RequantizeChannel(acc.GetElement(k), bias, biasStart, quant, ms, ss, k, k * quantStride, outOff, min, max);
                        if (got.GetElement(k) != want)
                            throw new Exception($"requant lane {k}: acc {acc.GetElement(k)} shift {shift} mult {m} bias {biasStart} stride {quantStride}: SIMD {got.GetElement(k)}, reference {want}");
                    }
                }
            }
            return n;
        }

        /// <summary>
        /// One SVDF case: input size <paramref name="inputSize"/> (the feature dot), units 1..21, rank 1..3,
        /// memory 1..40, batches 1..3, int8 or int16 state (odd / even seeds), with and without bias, unaligned
        /// starts. Edges mixed in: input offset 128 / -127, state zero point at its type's limits, output
        /// offset -128 / 127, multipliers 0 / 1 / int.MaxValue, shifts -31 / 0 / 30 (wrapping left shifts),
        /// data all -128 / all 127 / alternating. Runs 3 invocations in a row (the state carries over) on
        /// copies and compares the output AND the updated state bytes with the reference kernel's.
        /// </summary>
        public static string Svdf(int seed, int inputSize)
        {
            var r = new Random(seed * 7727 + inputSize * 13 + 5);
            bool wide = seed % 2 == 1;
            int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : seed % 7 == 4 ? 3 : 0;
            int Mult() => seed % 11 == 3 ? new[] { 0, 1, int.MaxValue }[r.Next(3)] : (1 << 30) + r.Next(1 << 30);
            int Shift() => seed % 13 == 2 ? new[] { -31, 0, 30 }[r.Next(3)] : seed % 13 == 7 ? r.Next(-31, 31) : -r.Next(14) + (r.Next(6) == 0 ? 2 : 0);
            int zpMin = wide ? -32768 : -128, zpMax = wide ? 32767 : 127;
            var p = new SvdfParams
            {
                Batches = 1 + r.Next(3), InputSize = inputSize, Rank = 1 + r.Next(3), Memory = seed % 9 == 8 ? 1 : 1 + r.Next(40),
                InputOffset = ZeroPointOffset(r, seed),
                StateZeroPoint = seed % 5 == 1 ? zpMin : seed % 5 == 2 ? zpMax : seed % 5 == 3 ? 0 : r.Next(zpMin, zpMax + 1),
                OutputOffset = seed % 4 == 2 ? -128 : seed % 4 == 3 ? 127 : r.Next(-128, 128),
                Multiplier1 = Mult(), Shift1 = Shift(), Multiplier2 = Mult(), Shift2 = Shift(), StateIsInt16 = wide,
            };
            p.Units = 1 + r.Next(seed % 3 == 0 ? 21 : 9);
            p.Filters = p.Units * p.Rank;
            int es = wide ? 2 : 1;
            int inS = r.Next(5), wfS = r.Next(5), wtS = r.Next(5), stS = r.Next(5), outS = r.Next(5);
            int biasS = seed % 3 == 2 ? -1 : r.Next(5);
            var input = new byte[inS + p.Batches * inputSize + 2];
            var wf = new byte[wfS + p.Filters * inputSize + 1];
            var wt = new byte[wtS + p.Filters * p.Memory * es + 3];
            var state = new byte[stS + p.Batches * p.Filters * p.Memory * es + 3];
            var bias = biasS < 0 ? null : new byte[biasS + 4 * p.Units + 1];
            Fill(r, input, mode); Fill(r, wf, mode); Fill(r, wt, mode); Fill(r, state, mode);
            if (mode == 3) for (int i = 0; i < state.Length; i++) state[i] = (byte)(i % 2 == 0 ? 0x80 : 0x7F);
            if (bias != null)
                for (int u = 0; u < p.Units; u++)
                    BitConverter.TryWriteBytes(bias.AsSpan(biasS + 4 * u), seed % 6 == 4 ? (u % 2 == 0 ? int.MaxValue : int.MinValue) : r.Next(-400000, 400000));
            var stateRef = (byte[])state.Clone();
            int outLen = outS + p.Batches * p.Units + 3;
            var expected = new byte[outLen]; var actual = new byte[outLen];
            for (int i = 0; i < outLen; i++) expected[i] = actual[i] = (byte)(i * 37);
            int[] starts = { inS, wfS, wtS, biasS, stS };
            string what = $"svdf seed {seed} input {inputSize} batches {p.Batches} units {p.Units} rank {p.Rank} memory {p.Memory} int16 {wide} " +
                $"bias {bias != null} offsets {p.InputOffset},{p.StateZeroPoint},{p.OutputOffset} shifts {p.Shift1},{p.Shift2}";
            for (int step = 0; step < 3; step++)
            {
                Reference.Svdf.Eval(p, new[] { input, wf, wt, bias, stateRef }, starts, expected, outS);
                Simd.Svdf.Eval(p, new[] { input, wf, wt, bias, state }, starts, actual, outS);
                var d = Diff(expected, actual, what + $" step {step} output") ?? Diff(stateRef, state, what + $" step {step} state");
                if (d != null) return d;
                Fill(r, input, mode == 0 ? 0 : 3 - step % 2); // new input each step
            }
            return null;
        }

        /// <summary>The SVDF sweep: input sizes 1..70 × 8 seeds, then longer inputs; returns the number of cases.</summary>
        public static int SvdfSweep()
        {
            int n = 0;
            for (int size = 1; size <= 70; size++)
                for (int seed = 0; seed < 8; seed++, n++) { var d = Svdf(seed + size, size); if (d != null) throw new Exception(d); }
            foreach (int size in new[] { 0, 96, 127, 128, 129, 250 })
                for (int seed = 0; seed < 26; seed++, n++) { var d = Svdf(seed, size); if (d != null) throw new Exception(d); }
            return n;
        }

        /// <summary>
        /// One UNIDIRECTIONAL_SEQUENCE_LSTM case: <paramref name="inputSize"/> inputs, <paramref name="stateSize"/>
        /// neurons, batch-major or time-major with 1..3 batches and 1..6 steps; every tensor in its own array at
        /// a random start and ending exactly at the array's end (so 16-byte row reads past a short last row would
        /// be caught). Parameters: TFLM-like gate scales (multiplier in [2^30, 2^31), shifts putting the
        /// accumulators around Q3.12), with edges mixed in (multipliers 0 / int.MaxValue, shifts -31 / 30,
        /// zero points at the limits, cell clip on/off, sigmoid or tanh cell gate, cell tanh scalings of
        /// every cell scale power -43..2); data random, at the int8/int16 limits, or alternating.
        /// Runs the reference and the SIMD kernel on copies of the same state and compares the output and
        /// the final hidden and cell state bytes.
        /// </summary>
        public static string Lstm(int seed, int inputSize, int stateSize)
        {
            var r = new Random(seed * 7727 + inputSize * 131 + stateSize);
            int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : seed % 7 == 4 ? 3 : 0;
            bool edge = seed % 5 == 4;
            bool timeMajor = r.Next(2) == 0;
            int power = seed % 6 == 1 ? -43 + r.Next(46) : -15 + r.Next(6); // cell state scale power (TFLM: 2^power)
            int tanhShift = 12 + power;
            var p = new UnidirectionalSequenceLstmParams
            {
                TimeMajor = timeMajor, Batches = 1 + r.Next(3), TimeSteps = 1 + r.Next(6), InputSize = inputSize, StateSize = stateSize,
                InputOffset = ZeroPointOffset(r, seed), HiddenOffset = ZeroPointOffset(r, seed + 1),
                CellGateSigmoid = r.Next(3) == 0, CellClip = r.Next(3) == 0 ? -1 : r.Next(4) == 0 ? 0 : r.Next(2) == 0 ? 32767 : r.Next(32768),
                CellTanhMultiplier = tanhShift < 0 ? 3 : 0, CellTanhLeftShift = tanhShift < 0 ? -tanhShift : tanhShift,
                HiddenZeroPoint = seed % 9 == 2 ? -128 : seed % 9 == 3 ? 127 : r.Next(-128, 128),
            };
            p.StepBatches = timeMajor ? p.Batches : 1;
            int Mult() => edge && r.Next(3) == 0 ? new[] { 0, 1, int.MaxValue }[r.Next(3)] : (1 << 30) + r.Next(1 << 30);
            int Shift(int lo, int hi) => edge && r.Next(4) == 0 ? new[] { -31, 30, 0 }[r.Next(3)] : r.Next(lo, hi + 1);
            for (int k = 0; k < 8; k++) { p.GateMultipliers[k] = Mult(); p.GateShifts[k] = Shift(-10, 1); }
            if (seed % 8 == 7) for (int k = 0; k < 8; k++) p.GateShifts[k] = r.Next(4, 11); // saturated gate FCs: sat16(FC(x) + FC(h)) matters
            p.ForgetCellMultiplier = Mult(); p.ForgetCellShift = Shift(-16, -13);
            p.InputCellMultiplier = Mult(); p.InputCellShift = Shift(-31 - power - 3, -31 - power + 2);
            p.HiddenMultiplier = Mult(); p.HiddenShift = Shift(-26, -20);
            if (seed % 8 == 7 && r.Next(2) == 0) { p.ForgetCellMultiplier = 1 << 30; p.ForgetCellShift = -14; } // exactly 2^-15: a gate one off shows
            if (p.InputCellShift < -31) p.InputCellShift = -31;
            if (p.InputCellShift > 30) p.InputCellShift = 30;

            var inputs = new byte[24][];
            var starts = new int[24];
            for (int k = 0; k < 24; k++) starts[k] = -1;
            byte[] Tensor(int k, int bytes, int fillMode)
            {
                starts[k] = r.Next(6);
                var a = new byte[starts[k] + bytes];
                if (fillMode == 3) for (int i = 0; i < a.Length; i++) a[i] = (byte)(i % 3 == 0 ? 0x7F : 0x80);
                else Fill(r, a, fillMode);
                return inputs[k] = a;
            }
            int rows = p.Batches * p.TimeSteps;
            Tensor(0, rows * inputSize, mode);
            for (int g = 0; g < 4; g++)
            {
                Tensor(1 + g, stateSize * inputSize, mode);
                Tensor(5 + g, stateSize * stateSize, mode == 3 ? 0 : mode);
                var b = Tensor(12 + g, 4 * stateSize, 0);
                for (int o = 0; o < stateSize; o++)
                    BitConverter.TryWriteBytes(b.AsSpan(starts[12 + g] + 4 * o), edge && r.Next(4) == 0 ? new[] { int.MinValue, int.MaxValue, 0 }[r.Next(3)] : r.Next(-200000, 200000));
            }
            Tensor(18, p.Batches * stateSize, mode);
            var cell = Tensor(19, 2 * p.Batches * stateSize, 0);
            for (int i = 0; i < p.Batches * stateSize; i++)
            {
                int v = mode == 1 ? -32768 : mode == 2 ? 32767 : mode == 3 ? (i % 2 == 0 ? 32767 : -32768) : r.Next(-32768, 32768);
                BitConverter.TryWriteBytes(cell.AsSpan(starts[19] + 2 * i), (short)v);
            }
            var inputs2 = new byte[24][];
            for (int k = 0; k < 24; k++) inputs2[k] = inputs[k] == null ? null : (k == 18 || k == 19 ? (byte[])inputs[k].Clone() : inputs[k]);
            int outStart = r.Next(5);
            var expected = new byte[outStart + rows * stateSize + 3]; var actual = new byte[expected.Length];
            for (int i = 0; i < expected.Length; i++) expected[i] = actual[i] = (byte)(i * 37);
            Reference.UnidirectionalSequenceLstm.Eval(p, inputs, starts, expected, outStart, new short[p.ScratchElements]);
            Simd.UnidirectionalSequenceLstm.Eval(p, inputs2, starts, actual, outStart, new short[p.ScratchElements]);
            string what = $"lstm seed {seed} input {inputSize} state {stateSize} batches {p.Batches} steps {p.TimeSteps} timeMajor {timeMajor} " +
                $"sigmoidCell {p.CellGateSigmoid} clip {p.CellClip} tanh {p.CellTanhMultiplier}/{p.CellTanhLeftShift} offsets {p.InputOffset},{p.HiddenOffset}";
            return Diff(expected, actual, what + " output") ?? Diff(inputs[18], inputs2[18], what + " hidden state") ?? Diff(inputs[19], inputs2[19], what + " cell state");
        }

        /// <summary>The LSTM sweep: state sizes 1..70 × random input sizes 0..70, and the shapes of the shared models (28/20, 257/80, ...).</summary>
        public static int LstmSweep()
        {
            int n = 0;
            var r = new Random(5);
            for (int state = 1; state <= 4 * 16 + 6; state++)
                for (int seed = 0; seed < 3; seed++, n++)
                {
                    var d = Lstm(seed + 3 * state, seed == 0 ? state - 1 : r.Next(71), state);
                    if (d != null) throw new Exception(d);
                }
            for (int input = 0; input <= 4 * 16 + 1; input++, n++)
            {
                var d = Lstm(input, input, 1 + r.Next(24));
                if (d != null) throw new Exception(d);
            }
            int[][] shapes = { new[] { 28, 20 }, new[] { 257, 80 }, new[] { 257, 128 }, new[] { 128, 128 }, new[] { 16, 16 }, new[] { 15, 17 }, new[] { 1, 1 }, new[] { 0, 9 }, new[] { 100, 33 } };
            foreach (var s in shapes)
                for (int seed = 0; seed < 7; seed++, n++)
                {
                    var d = Lstm(seed, s[0], s[1]);
                    if (d != null) throw new Exception(d);
                }
            return n;
        }

        /// <summary>
        /// The AVX2 int16 sigmoid/tanh against the reference's for every int16 input and every input scaling
        /// the kernel takes (multiplier 0 with shift 0..14, multiplier 3 with shift 0..31); 0 without AVX2.
        /// </summary>
        public static int LstmActivationSweep()
        {
            if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported) return 0;
            int n = 0;
            for (int mult = 0; mult <= 3; mult += 3)
            for (int shift = 0; shift <= (mult == 0 ? 14 : 31); shift++)
            for (int x = -32768; x < 32768; x += 8)
            {
                var v = Vector256.Create(x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7);
                var sig = Simd.UnidirectionalSequenceLstm.Int16Activation256(v, mult, shift, false);
                var tanh = Simd.UnidirectionalSequenceLstm.Int16Activation256(v, mult, shift, true);
                for (int k = 0; k < 8; k++, n++)
                {
                    int ws = Reference.UnidirectionalSequenceLstm.Int16Sigmoid(x + k, mult, shift), wt = Reference.UnidirectionalSequenceLstm.Int16Tanh(x + k, mult, shift);
                    if (sig.GetElement(k) != ws || tanh.GetElement(k) != wt)
                        throw new Exception($"lstm activation x {x + k} multiplier {mult} shift {shift}: sigmoid SIMD {sig.GetElement(k)} reference {ws}, tanh SIMD {tanh.GetElement(k)} reference {wt}");
                }
            }
            return n;
        }

        static string Diff(byte[] e, byte[] a, string what)
        {
            for (int i = 0; i < e.Length; i++)
                if (e[i] != a[i]) return $"{what}: first difference at byte {i}: SIMD {(sbyte)a[i]}, reference {(sbyte)e[i]}";
            return null;
        }

        /// <summary>The full sweep the child legs run: returns the number of cases, throws on the first mismatch.</summary>
        public static int RunAll()
        {
            int n = 0;
            for (int depth = 0; depth <= 4 * 16 + 1; depth++)
                for (int seed = 0; seed < 7; seed++, n++) { var d = FullyConnected(seed, depth); if (d != null) throw new Exception(d); }
            n += FullyConnectedOutSweep();
            for (int seed = 0; seed < 400; seed++, n++) { var d = Conv(seed); if (d != null) throw new Exception(d); }
            for (int seed = 0; seed < 400; seed++, n++) { var d = Depthwise(seed); if (d != null) throw new Exception(d); }
            n += SmallChannelSweep();
            n += DepthMultiplierSweep();
            for (int length = 0; length <= 4 * 16 + 1; length++)
                for (int seed = 0; seed < 30; seed++, n++) { var d = Add(seed, length); if (d != null) throw new Exception(d); }
            for (int seed = 0; seed < 20; seed++, n++) { var d = Add(seed, 1000 + 37 * seed); if (d != null) throw new Exception(d); }
            n += RequantSweep();
            n += SvdfSweep();
            n += AddNarrowSweep(out _);
            n += LogisticSweep();
            n += Round4AliasSweep();
            n += LstmSweep();
            n += LstmActivationSweep();

            for (int seed = 0; seed < 300; seed++, n += 2)
            {
                var d = Pool(seed, false) ?? Pool(seed, true);
                if (d != null) throw new Exception(d);
            }
            n += ElementwiseInt16AndCopySweep();
            return n;
        }

        // ------------------------------------------------------------------ round 4: int16 element-wise and copy ops

        /// <summary>Every round-4 sweep (ADD/SUB int16, LEAKY_RELU int16, QUANTIZE, PAD, STRIDED_SLICE, aliasing); returns the number of cases, throws on the first mismatch.</summary>
        public static int ElementwiseInt16AndCopySweep()
        {
            int n = 0;
            n += Sweep(AddInt16Sweep);
            n += Sweep(LeakyReluInt16Sweep);
            n += Sweep(QuantizeSweep);
            n += Sweep(PadSweep);
            n += Sweep(StridedSliceSweep);
            n += Sweep(AliasSweep);
            return n;
        }

        static int Sweep(Func<int> sweep) => sweep();

        static void Check(string diff) { if (diff != null) throw new Exception(diff); }

        static short Int16Value(Random r, int mode, int i) => mode switch
        {
            1 => short.MinValue,
            2 => short.MaxValue,
            3 => i % 3 == 0 ? short.MaxValue : i % 3 == 1 ? short.MinValue : (short)0,
            _ => (short)r.Next(-32768, 32768),
        };

        static void FillInt16(Random r, byte[] a, int start, int count, int mode)
        {
            for (int i = 0; i < count; i++) BitConverter.TryWriteBytes(a.AsSpan(start + 2 * i), Int16Value(r, mode, i));
        }

        static byte[] Canvas(int length)
        {
            var b = new byte[length];
            for (int i = 0; i < b.Length; i++) b[i] = (byte)(i * 37 + 11);
            return b;
        }

        /// <summary>
        /// One int16 ADD (or SUB) case: <paramref name="length"/> elements with the output's shape or, every fourth seed, a
        /// broadcast case (a [1,1,1,n] row against many rows, the last dimension broadcast, or random 1s). Parameters as TFLM
        /// prepares them (LeftShift 15, zero offsets, multipliers in [2^30, 2^31), shifts down to -31) with edges mixed in:
        /// offsets ±32768-ish, shifts 0 and -31, multipliers 0, 1 and int.MaxValue, LeftShift 0..31 (wrapping), clamped
        /// activation ranges, odd (unaligned) byte starts, all -32768 / all 32767 / alternating data.
        /// </summary>
        public static string AddInt16(int seed, int length, bool subtract)
        {
            var r = new Random(seed * 7919 + length * 31 + (subtract ? 1 : 0));
            int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : seed % 7 == 4 ? 3 : 0;
            int Mult() => seed % 11 == 3 ? new[] { 0, 1, int.MaxValue }[r.Next(3)] : (1 << 30) + r.Next(1 << 30);
            int Shift() => seed % 13 == 2 ? new[] { 0, -31 }[r.Next(2)] : -r.Next(20);
            int Zp() => seed % 5 == 1 ? 32768 : seed % 5 == 2 ? -32767 : seed % 3 == 0 ? 0 : r.Next(-300, 300);
            var p = new AddParams
            {
                ElementType = Runtime.Format.DataType.Int16,
                LeftShift = seed % 17 == 9 ? r.Next(32) : 15,
                Input1Offset = Zp(), Input1Multiplier = Mult(), Input1Shift = Shift(),
                Input2Offset = Zp(), Input2Multiplier = Mult(), Input2Shift = Shift(),
                OutputOffset = seed % 3 == 0 ? 0 : r.Next(-32768, 32768), OutputMultiplier = Mult(), OutputShift = Shift(),
                ActivationMin = -32768, ActivationMax = 32767, FlatSize = length,
            };
            if (r.Next(3) == 0) { p.ActivationMin = r.Next(-32768, 0); p.ActivationMax = r.Next(0, 32768); }
            if (seed % 23 == 11) p.Input2Shift = 1;                                   // outside TFLM's range: the reference kernel
            if (seed % 23 == 12) { p.ActivationMin = -40000; p.ActivationMax = 40000; } // wider than int16: the reference kernel (wraps)
            int n1 = length, n2 = length, no = length;
            if (seed % 4 == 0)
            {
                p.Broadcast = true;
                int kind = seed / 4 % 3;
                p.OutputShape = new[] { 1 + r.Next(2), 1 + r.Next(3), 1 + r.Next(4), Math.Max(1, length) };
                p.Input1Shape = (int[])p.OutputShape.Clone(); p.Input2Shape = (int[])p.OutputShape.Clone();
                int[] small = r.Next(2) == 0 ? p.Input2Shape : p.Input1Shape;
                if (kind == 0) { small[0] = small[1] = small[2] = 1; }                 // a bias row for every output row (cached once)
                else if (kind == 1) { small[3] = 1; if (r.Next(2) == 0) small[1] = 1; } // the last dimension broadcast (splat)
                else for (int d = 0; d < 4; d++) { p.Input1Shape[d] = r.Next(2) == 0 ? 1 : p.OutputShape[d]; p.Input2Shape[d] = r.Next(2) == 0 ? 1 : p.OutputShape[d]; }
                n1 = p.Input1Shape[0] * p.Input1Shape[1] * p.Input1Shape[2] * p.Input1Shape[3];
                n2 = p.Input2Shape[0] * p.Input2Shape[1] * p.Input2Shape[2] * p.Input2Shape[3];
                no = p.OutputShape[0] * p.OutputShape[1] * p.OutputShape[2] * p.OutputShape[3];
                p.FlatSize = no;
            }
            int s1 = r.Next(5), s2 = r.Next(5), so = r.Next(5);
            var a = new byte[s1 + 2 * n1 + 1]; var b = new byte[s2 + 2 * n2 + 1];
            FillInt16(r, a, s1, n1, mode); FillInt16(r, b, s2, n2, mode == 3 ? 0 : mode);
            var expected = Canvas(so + 2 * no + 3); var actual = Canvas(so + 2 * no + 3);
            if (subtract)
            {
                Reference.Sub.EvalInt16(p, a, s1, b, s2, expected, so);
                Simd.Sub.EvalInt16(p, a, s1, b, s2, actual, so);
            }
            else
            {
                Reference.AddInt16.Eval(p, a, s1, b, s2, expected, so);
                Simd.AddInt16.Eval(p, a, s1, b, s2, actual, so);
            }
            return Diff(expected, actual, $"{(subtract ? "sub" : "add")} int16 seed {seed} length {length} broadcast {p.Broadcast} " +
                $"shifts {p.LeftShift},{p.Input1Shift},{p.Input2Shift},{p.OutputShift} offsets {p.Input1Offset},{p.Input2Offset},{p.OutputOffset}");
        }

        public static int AddInt16Sweep()
        {
            int n = 0;
            foreach (bool subtract in new[] { false, true })
            {
                for (int length = 0; length <= 4 * 16 + 1; length++)
                    for (int seed = 0; seed < 24; seed++, n++) Check(AddInt16(seed, length, subtract));
                for (int seed = 0; seed < 24; seed++, n++) Check(AddInt16(seed, 700 + 37 * seed, subtract));
            }
            return n;
        }

        /// <summary>
        /// One int16 LEAKY_RELU case: offsets 0 (TFLM int16) or edges, identity multiplier/shift and alpha multiplier/shift
        /// as Prepare makes them (multipliers in [2^30, 2^31), shifts -20..1) with edges: shifts -31 and 31, multipliers 0, 1,
        /// int.MaxValue, a negative alpha and int.MinValue; edge data.
        /// </summary>
        public static string LeakyReluInt16(int seed, int length)
        {
            var r = new Random(seed * 15485863 + length);
            int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : seed % 7 == 4 ? 3 : 0;
            int Mult() => seed % 11 == 3 ? new[] { 0, 1, int.MaxValue }[r.Next(3)] : (1 << 30) + r.Next(1 << 30);
            int Shift() => seed % 13 == 2 ? new[] { -31, 31, 0 }[r.Next(3)] : -r.Next(21) + (r.Next(4) == 0 ? 1 : 0);
            var p = new LeakyReluParams
            {
                ElementType = Runtime.Format.DataType.Int16, Size = length,
                InputOffset = seed % 5 == 1 ? 32768 : seed % 5 == 2 ? -32767 : seed % 3 == 0 ? 0 : r.Next(-500, 500),
                OutputOffset = seed % 3 == 0 ? 0 : r.Next(-32768, 32768),
                IdentityMultiplier = Mult(), IdentityShift = Shift(), AlphaMultiplier = Mult(), AlphaShift = Shift(),
            };
            if (seed % 4 == 1) p.AlphaMultiplier = -p.AlphaMultiplier;
            if (seed % 19 == 7) p.AlphaMultiplier = int.MinValue;
            int si = r.Next(5), so = r.Next(5);
            var x = new byte[si + 2 * length + 1];
            FillInt16(r, x, si, length, mode);
            var expected = Canvas(so + 2 * length + 3); var actual = Canvas(so + 2 * length + 3);
            Reference.LeakyReluInt16.Eval(p, x, si, expected, so);
            Simd.LeakyReluInt16.Eval(p, x, si, actual, so);
            return Diff(expected, actual, $"leaky_relu int16 seed {seed} length {length} alpha {p.AlphaMultiplier}>>{p.AlphaShift} identity {p.IdentityMultiplier}>>{p.IdentityShift} offsets {p.InputOffset},{p.OutputOffset}");
        }

        public static int LeakyReluInt16Sweep()
        {
            int n = 0;
            for (int length = 0; length <= 4 * 16 + 1; length++)
                for (int seed = 0; seed < 30; seed++, n++) Check(LeakyReluInt16(seed, length));
            for (int seed = 0; seed < 20; seed++, n++) Check(LeakyReluInt16(seed, 900 + 41 * seed));
            return n;
        }

        static readonly int[] IntTypes = { Runtime.Format.DataType.Int8, Runtime.Format.DataType.Int16, Runtime.Format.DataType.Int32 };

        /// <summary>
        /// One integer QUANTIZE case for type pair (<paramref name="inType"/>, <paramref name="outType"/>): offsets at the
        /// type's limits or random, multipliers in [2^30, 2^31) or 0 / 1 / int.MaxValue, shifts -31..31 (edges mixed in),
        /// data random or at the input type's limits (int32: int.MinValue / int.MaxValue, wrapping the offset add).
        /// </summary>
        public static string Quantize(int seed, int length, int inType, int outType)
        {
            var r = new Random(seed * 104723 + length * 7 + inType * 3 + outType);
            int inSize = Runtime.Format.DataType.Size(inType), outSize = Runtime.Format.DataType.Size(outType);
            int mode = seed % 7 == 5 ? 1 : seed % 7 == 6 ? 2 : seed % 7 == 4 ? 3 : 0;
            int lim = inType == Runtime.Format.DataType.Int8 ? 128 : inType == Runtime.Format.DataType.Int16 ? 32768 : 1 << 30;
            var p = new RequantizeParams
            {
                Size = length, InputType = inType, OutputType = outType,
                InputOffset = seed % 5 == 1 ? lim : seed % 5 == 2 ? -lim + 1 : seed % 3 == 0 ? 0 : r.Next(-lim, lim),
                OutputOffset = seed % 3 == 0 ? 0 : seed % 5 == 3 ? (outSize == 1 ? 127 : outSize == 2 ? -32768 : int.MaxValue) : r.Next(-200, 200),
                OutputMultiplier = seed % 11 == 3 ? new[] { 0, 1, int.MaxValue }[r.Next(3)] : (1 << 30) + r.Next(1 << 30),
                OutputShift = seed % 13 == 2 ? new[] { -31, 31, 0 }[r.Next(3)] : r.Next(-24, 8),
            };
            int si = r.Next(5), so = r.Next(5);
            var x = new byte[si + inSize * length + 1];
            for (int i = 0; i < length; i++)
            {
                long v = mode == 1 ? long.MinValue : mode == 2 ? long.MaxValue : mode == 3 ? (i % 2 == 0 ? long.MinValue : long.MaxValue) : r.NextInt64();
                int bits = 8 * inSize;
                long clamped = mode == 0 ? (v >> (64 - bits)) : v < 0 ? -(1L << (bits - 1)) : (1L << (bits - 1)) - 1;
                for (int k = 0; k < inSize; k++) x[si + inSize * i + k] = (byte)(clamped >> (8 * k));
            }
            var expected = Canvas(so + outSize * length + 3); var actual = Canvas(so + outSize * length + 3);
            Reference.Quantize.Eval(p, x, si, expected, so);
            Simd.Quantize.Eval(p, x, si, actual, so);
            return Diff(expected, actual, $"quantize {inType}->{outType} seed {seed} length {length} mult {p.OutputMultiplier} shift {p.OutputShift} offsets {p.InputOffset},{p.OutputOffset}");
        }

        public static int QuantizeSweep()
        {
            int n = 0;
            foreach (int inType in IntTypes)
                foreach (int outType in IntTypes)
                {
                    for (int length = 0; length <= 4 * 16 + 1; length++)
                        for (int seed = 0; seed < 14; seed++, n++) Check(Quantize(seed, length, inType, outType));
                    for (int seed = 0; seed < 8; seed++, n++) Check(Quantize(seed, 500 + 53 * seed, inType, outType));
                }
            return n;
        }

        /// <summary>
        /// One PAD case: a random 5-D input (dimensions 0..5, mostly 1..5), paddings 0..3 per side on random dimensions,
        /// int8 or int16, pad values at the limits, with equal bytes (0, -1, 0x0101) or random, odd byte starts.
        /// </summary>
        public static string Pad(int seed)
        {
            var r = new Random(seed * 31337);
            int es = seed % 2 == 0 ? 2 : 1;
            var p = new PadParams
            {
                ElementSize = es, InputShape = new int[5], OutputShape = new int[5], LeftPadding = new int[5], RightPadding = new int[5],
                PadValue = es == 2 ? new[] { -32768, 32767, 0, -1, 0x0101, r.Next(-32768, 32768) }[seed / 2 % 6] : new[] { -128, 127, 0, -1, r.Next(-128, 128) }[seed / 2 % 5],
            };
            for (int d = 0; d < 5; d++)
            {
                p.InputShape[d] = seed % 53 == 7 && d == 2 ? 0 : d < 5 - (1 + seed % 5) ? 1 : 1 + r.Next(r.Next(3) == 0 ? 9 : 4);
                if (r.Next(3) == 0) { p.LeftPadding[d] = r.Next(4); p.RightPadding[d] = r.Next(4); }
                p.OutputShape[d] = p.InputShape[d] + p.LeftPadding[d] + p.RightPadding[d];
            }
            int inElems = 1, outElems = 1;
            for (int d = 0; d < 5; d++) { inElems *= p.InputShape[d]; outElems *= p.OutputShape[d]; }
            int si = r.Next(5), so = r.Next(5);
            var x = new byte[si + es * inElems + 1];
            for (int i = 0; i < x.Length; i++) x[i] = (byte)r.Next(256);
            var expected = Canvas(so + es * outElems + 3); var actual = Canvas(so + es * outElems + 3);
            Reference.Pad.Eval(p, x, si, expected, so);
            Simd.Pad.Eval(p, x, si, actual, so);
            return Diff(expected, actual, $"pad seed {seed} es {es} in [{string.Join(",", p.InputShape)}] left [{string.Join(",", p.LeftPadding)}] right [{string.Join(",", p.RightPadding)}] value {p.PadValue}");
        }

        public static int PadSweep()
        {
            int n = 0;
            for (int seed = 0; seed < 1500; seed++, n++) Check(Pad(seed));
            return n;
        }

        /// <summary>
        /// One STRIDED_SLICE case: a random 5-D input, element size 1, 2, 3 or 4; per axis the full range (so runs merge),
        /// a sub-range, a single index, steps 2..3 or negative steps, sometimes a count of 0; odd byte starts.
        /// </summary>
        public static string StridedSlice(int seed)
        {
            var r = new Random(seed * 7727);
            int es = new[] { 2, 1, 4, 3 }[seed % 4];
            var shape = new int[5];
            for (int d = 0; d < 5; d++) shape[d] = d < 5 - (1 + seed % 5) ? 1 : 1 + r.Next(r.Next(3) == 0 ? 12 : 5);
            var p = new StridedSliceParams { ElementSize = es, Start = new int[5], Count = new int[5], Step = new int[5], InputStrides = new int[5] };
            int stride = 1;
            for (int d = 4; d >= 0; d--) { p.InputStrides[d] = stride; stride *= shape[d]; }
            for (int d = 0; d < 5; d++)
            {
                int kind = r.Next(6);
                if (kind <= 2) { p.Start[d] = 0; p.Step[d] = 1; p.Count[d] = shape[d]; }              // full axis
                else if (kind == 3)
                {
                    p.Step[d] = 1; p.Start[d] = r.Next(shape[d]); p.Count[d] = 1 + r.Next(shape[d] - p.Start[d]);
                }
                else if (kind == 4)
                {
                    p.Step[d] = 2 + r.Next(2); p.Start[d] = r.Next(shape[d]); p.Count[d] = 1 + (shape[d] - 1 - p.Start[d]) / p.Step[d];
                }
                else
                {
                    p.Step[d] = -1 - r.Next(2); p.Start[d] = r.Next(shape[d]); p.Count[d] = 1 + p.Start[d] / -p.Step[d];
                }
            }
            if (seed % 61 == 5) p.Count[r.Next(5)] = 0;
            int outElems = 1;
            for (int d = 0; d < 5; d++) outElems *= p.Count[d];
            int si = r.Next(5), so = r.Next(5);
            var x = new byte[si + es * stride + 1];
            for (int i = 0; i < x.Length; i++) x[i] = (byte)r.Next(256);
            var expected = Canvas(so + es * outElems + 3); var actual = Canvas(so + es * outElems + 3);
            Reference.StridedSlice.Eval(p, x, si, expected, so);
            Simd.StridedSlice.Eval(p, x, si, actual, so);
            return Diff(expected, actual, $"strided_slice seed {seed} es {es} shape [{string.Join(",", shape)}] start [{string.Join(",", p.Start)}] count [{string.Join(",", p.Count)}] step [{string.Join(",", p.Step)}]");
        }

        public static int StridedSliceSweep()
        {
            int n = 0;
            for (int seed = 0; seed < 2000; seed++, n++) Check(StridedSlice(seed));
            return n;
        }

        /// <summary>
        /// Round 4's pointer kernels on aliased buffers: int8 ADD (TFLM parameters, so the 32-per-step path when
        /// disjoint or in place), LOGISTIC, and SVDF with its output overlapping the state, each against the
        /// reference on an identical copy (exactly in place: the vector path; partial overlap: the reference's
        /// element order via the fallback). Returns the number of cases.
        /// </summary>
        public static int Round4AliasSweep()
        {
            int n = 0;
            foreach (int length in new[] { 1, 7, 8, 9, 31, 32, 33, 64, 100 })
                foreach (int shift in new[] { 0, -2, 2, -1, 1, 5 })
                {
                    int baseStart = 8, total = 2 * baseStart + 3 * length + 8;
                    byte[] Seeded(int len) { var b = new byte[len]; var rr = new Random(length * 100 + shift); for (int i = 0; i < b.Length; i++) b[i] = (byte)rr.Next(256); return b; }
                    var ap = new AddParams { LeftShift = 20, Input1Offset = 3, Input2Offset = -7, Input1Multiplier = 1 << 30, Input1Shift = -1, Input2Multiplier = 1717986918, Input2Shift = -2,
                        OutputOffset = 5, OutputMultiplier = 1518500250, OutputShift = -19, ActivationMin = -128, ActivationMax = 127, FlatSize = length };
                    if (!Simd.Add.NarrowSupported(ap)) throw new Exception("alias ADD parameters are not on the narrow path");
                    // The other input in its own array, so only the overlap under test decides.
                    { var e = Seeded(total); var a = Seeded(total); var other = Seeded(length + 3);
                      Reference.Add.Eval(ap, e, baseStart, other, 1, e, baseStart + shift); Simd.Add.Eval(ap, a, baseStart, other, 1, a, baseStart + shift); Check(Diff(e, a, $"add int8 alias (input 1) shift {shift} length {length}")); n++; }
                    { var e = Seeded(total); var a = Seeded(total); var other = Seeded(length + 3);
                      Reference.Add.Eval(ap, other, 2, e, baseStart, e, baseStart + shift); Simd.Add.Eval(ap, other, 2, a, baseStart, a, baseStart + shift); Check(Diff(e, a, $"add int8 alias (input 2) shift {shift} length {length}")); n++; }
                    var lp = new FixedPointActivationParams { Size = length, InputOffset = -3, InputRangeRadius = 256, InputMultiplier = 1500000000, InputLeftShift = 23 }; // inputs spread over ±6
                    { var e = Seeded(total); var a = Seeded(total); Reference.Logistic.Eval(lp, e, baseStart, e, baseStart + shift); Simd.Logistic.Eval(lp, a, baseStart, a, baseStart + shift); Check(Diff(e, a, $"logistic alias shift {shift} length {length}")); n++; }
                    // SVDF: output inside the state's bytes (state [1, 4·memory], output [1, 4]).
                    int memory = 1 + length % 9;
                    var sp = new SvdfParams { Batches = 1, InputSize = length, Filters = 4, Rank = 1, Units = 4, Memory = memory, InputOffset = 5, StateZeroPoint = -3, OutputOffset = 2,
                        Multiplier1 = 1 << 30, Shift1 = -10 - length / 30, Multiplier2 = 1 << 30, Shift2 = -8 };
                    {
                        int inS = 0, wfS = length, wtS = 5 * length, stS = 5 * length + 4 * memory + 4, biasS = stS + 4 * memory + 4;
                        int len = biasS + 16 + 8, outS = stS + Math.Abs(shift);
                        var e = Seeded(len); var a = Seeded(len);
                        for (int u = 0; u < 4; u++) { BitConverter.TryWriteBytes(e.AsSpan(biasS + 4 * u), 300 * u - 500); BitConverter.TryWriteBytes(a.AsSpan(biasS + 4 * u), 300 * u - 500); } // small: outputs unsaturated
                        int[] starts = { inS, wfS, wtS, biasS, stS };
                        Reference.Svdf.Eval(sp, new[] { e, e, e, e, e }, starts, e, outS);
                        Simd.Svdf.Eval(sp, new[] { a, a, a, a, a }, starts, a, outS);
                        Check(Diff(e, a, $"svdf output inside the state shift {shift} length {length}")); n++;
                    }
                }
            return n;
        }

        /// <summary>
        /// Buffers shared between input and output: the output exactly over the input (element-wise in place) and
        /// shifted by one element either way (the kernels must then give the reference's in-order result, i.e. fall back).
        /// </summary>
        public static int AliasSweep()
        {
            int n = 0;
            var r = new Random(4242);
            foreach (int length in new[] { 1, 7, 8, 9, 33, 64 })
                foreach (int shift in new[] { 0, -2, 2, -1, 1 })
                {
                    int baseStart = 8;
                    byte[] Seeded(int len) { var b = new byte[len]; var rr = new Random(length * 100 + shift); for (int i = 0; i < b.Length; i++) b[i] = (byte)rr.Next(256); return b; }
                    int total = baseStart * 2 + 4 * length + 8;
                    var lp = new LeakyReluParams { ElementType = Runtime.Format.DataType.Int16, Size = length, IdentityMultiplier = 1 << 30, IdentityShift = 1, AlphaMultiplier = 1234567890, AlphaShift = -3 };
                    { var e = Seeded(total); var a = Seeded(total); Reference.LeakyReluInt16.Eval(lp, e, baseStart, e, baseStart + shift); Simd.LeakyReluInt16.Eval(lp, a, baseStart, a, baseStart + shift); Check(Diff(e, a, $"leaky_relu alias shift {shift} length {length}")); n++; }
                    var ap = new AddParams { ElementType = Runtime.Format.DataType.Int16, LeftShift = 15, Input1Multiplier = 1 << 30, Input1Shift = -1, Input2Multiplier = 1 << 30, Input2Shift = -1, OutputMultiplier = 1 << 30, OutputShift = -13, ActivationMin = -32768, ActivationMax = 32767, FlatSize = length };
                    { var e = Seeded(total); var a = Seeded(total); Reference.AddInt16.Eval(ap, e, baseStart, e, baseStart + 2 * length, e, baseStart + shift); Simd.AddInt16.Eval(ap, a, baseStart, a, baseStart + 2 * length, a, baseStart + shift); Check(Diff(e, a, $"add int16 alias shift {shift} length {length}")); n++; }
                    var qp = new RequantizeParams { Size = length, InputType = Runtime.Format.DataType.Int16, OutputType = r.Next(2) == 0 ? Runtime.Format.DataType.Int8 : Runtime.Format.DataType.Int16, OutputMultiplier = 1 << 30, OutputShift = 1 };
                    { var e = Seeded(total); var a = Seeded(total); Reference.Quantize.Eval(qp, e, baseStart, e, baseStart + shift); Simd.Quantize.Eval(qp, a, baseStart, a, baseStart + shift); Check(Diff(e, a, $"quantize alias shift {shift} length {length}")); n++; }
                    var pp = new PadParams { ElementSize = 2, PadValue = -5, InputShape = new[] { 1, 1, 1, 1, length }, OutputShape = new[] { 1, 1, 1, 1, length + 2 }, LeftPadding = new[] { 0, 0, 0, 0, 1 }, RightPadding = new[] { 0, 0, 0, 0, 1 } };
                    { var e = Seeded(total); var a = Seeded(total); Reference.Pad.Eval(pp, e, baseStart, e, baseStart + shift); Simd.Pad.Eval(pp, a, baseStart, a, baseStart + shift); Check(Diff(e, a, $"pad alias shift {shift} length {length}")); n++; }
                    var sp = new StridedSliceParams { ElementSize = 2, Start = new[] { 0, 0, 0, 0, 0 }, Count = new[] { 1, 1, 1, 1, length }, Step = new[] { 1, 1, 1, 1, 1 }, InputStrides = new[] { length, length, length, length, 1 } };
                    { var e = Seeded(total); var a = Seeded(total); Reference.StridedSlice.Eval(sp, e, baseStart, e, baseStart + shift); Simd.StridedSlice.Eval(sp, a, baseStart, a, baseStart + shift); Check(Diff(e, a, $"strided_slice alias shift {shift} length {length}")); n++; }
                }
            return n;
        }
    }
}
