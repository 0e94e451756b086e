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
            for (int length = 0; length <= 4 * 16 + 1; length++)
                for (int seed = 0; seed < 30; seed++, n++) { var d = Add(seed, length); if (d != null) throw new Exception(d); }
            for (int seed = 0; seed < 20; seed++, n++) { var d = Add(seed, 1000 + 37 * seed); if (d != null) throw new Exception(d); }
            n += RequantSweep();
            n += LstmSweep();
            n += LstmActivationSweep();
            return n;
        }
    }
}
