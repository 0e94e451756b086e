using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mote.Kernels.Simd;
using Xunit;

#pragma warning disable CA2252 // AvxVnni: preview-marked in older reference assemblies

namespace Mote.Kernels.Simd.Tests
{
    /// <summary>SIMD kernels against the reference kernels (the oracle), on this machine's path.</summary>
    public unsafe class KernelTests
    {
        static int ScalarDot(sbyte[] x, sbyte[] w, int n, int offset)
        {
            int s = 0;
            for (int i = 0; i < n; i++) s = unchecked(s + w[i] * (x[i] + offset));
            return s;
        }

        static int SumW(sbyte[] w, int n)
        {
            int s = 0;
            for (int i = 0; i < n; i++) s += w[i];
            return s;
        }

        [SkippableFact]
        public void DotVector128_Lengths0To65AndEdgeValues_EqualsScalar()
        {
            Skip.IfNot(Vector128.IsHardwareAccelerated, "Vector128 is not hardware-accelerated in this process (the ISA legs cover it)");
            var r = new Random(5);
            int[] offsets = { -127, 0, 1, 128, 37 };
            for (int n = 0; n <= 4 * 16 + 1; n++)
                for (int mode = 0; mode < 4; mode++)
                    foreach (int off in offsets)
                    {
                        var x = new sbyte[n + 1]; var w = new sbyte[n + 1];
                        for (int i = 0; i < n; i++)
                        {
                            x[i] = mode == 1 ? (sbyte)-128 : mode == 2 ? (sbyte)127 : mode == 3 ? (sbyte)(i % 2 == 0 ? -128 : 127) : (sbyte)r.Next(-128, 128);
                            w[i] = mode == 1 ? (sbyte)-128 : mode == 2 ? (sbyte)-128 : (sbyte)r.Next(-128, 128);
                        }
                        fixed (sbyte* px = x, pw = w)
                            Assert.Equal(ScalarDot(x, w, n, off), DotLeaf.DotVector128(px, pw, n, off));
                    }
        }

        /// <summary>Every x64 4-row leaf this CPU has (and the portable one), lengths 0..130, unaligned rows, edge data and offsets.</summary>
        [SkippableTheory]
        [InlineData("sse41")]
        [InlineData("avx2")]
        [InlineData("avxvnni")]
        [InlineData("avxvnni-u8")]
        [InlineData("vector128")]
        public void Dot4Leaves_Lengths0To130AndEdgeValues_EqualScalar(string leaf)
        {
            delegate*<sbyte*, sbyte*, int, int, int, Vector128<int>> f = leaf switch
            {
                "sse41" => Sse41.IsSupported ? &DotLeaf.Dot4Sse41 : null,
                "avx2" => Avx2.IsSupported ? &DotLeaf.Dot4Avx2 : null,
                "avxvnni" => AvxVnni.IsSupported ? &DotLeaf.Dot4AvxVnni : null,
                "avxvnni-u8" => AvxVnni.IsSupported ? &DotLeaf.Dot4AvxVnniU8 : null,
                _ => Vector128.IsHardwareAccelerated ? &DotLeaf.Dot4Vector128 : null,
            };
            Skip.If(f == null, $"{leaf} is not supported in this process");
            var r = new Random(9);
            int[] offsets = { -127, 0, 1, 128, 37 };
            for (int n = 0; n <= 130; n++)
                for (int mode = 0; mode < 4; mode++)
                    foreach (int off in offsets)
                    {
                        int stride = n + (n % 3);
                        var x = new sbyte[n + 1]; var w = new sbyte[4 * stride + n + 1];
                        for (int i = 0; i < x.Length; i++)
                            x[i] = mode == 1 ? (sbyte)-128 : mode == 2 ? (sbyte)127 : mode == 3 ? (sbyte)(i % 2 == 0 ? -128 : 127) : (sbyte)r.Next(-128, 128);
                        for (int i = 0; i < w.Length; i++)
                            w[i] = mode == 1 || mode == 2 ? (sbyte)-128 : (sbyte)r.Next(-128, 128);
                        fixed (sbyte* px = x, pw = w)
                        {
                            var got = f(px + 1 - (n > 0 ? 1 : 0), pw + 1, stride, n, off);
                            for (int k = 0; k < 4; k++)
                            {
                                var xs = x.AsSpan(n > 0 ? 0 : 1).ToArray(); var ws = w.AsSpan(1 + k * stride).ToArray();
                                int want = ScalarDot(xs, ws, n, off);
                                if (leaf == "avxvnni-u8") // the prefix is against x + 128 (the caller folds the rest into the bias)
                                    want = unchecked(want + (128 - off) * SumW(ws, DotLeaf.VnniPrefix(n)));
                                Assert.Equal(want, got.GetElement(k));
                            }
                        }
                    }
        }

        /// <summary>The two-pixel VNNI leaf equals the one-pixel one on each input (lengths 0..130, edge data).</summary>
        [SkippableFact]
        public void Dot4x2AvxVnniU8_Lengths0To130_EqualsOnePixelLeafTwice()
        {
            Skip.IfNot(AvxVnni.IsSupported, "AVX-VNNI is not supported in this process");
            var r = new Random(11);
            foreach (int off in new[] { -127, 0, 128, 37 })
                for (int n = 0; n <= 130; n++)
                    for (int mode = 0; mode < 3; mode++)
                    {
                        int stride = n + (n % 3);
                        var x = new sbyte[2 * n + 3]; var w = new sbyte[4 * stride + n + 1];
                        for (int i = 0; i < x.Length; i++) x[i] = mode == 1 ? (sbyte)-128 : mode == 2 ? (sbyte)127 : (sbyte)r.Next(-128, 128);
                        for (int i = 0; i < w.Length; i++) w[i] = mode == 0 ? (sbyte)r.Next(-128, 128) : (sbyte)-128;
                        var sums = new int[8];
                        fixed (sbyte* px = x, pw = w)
                        fixed (int* ps = sums)
                        {
                            DotLeaf.Dot4x2AvxVnniU8(px + 1, px + 2 + n, pw + 1, stride, n, off, ps);
                            var a = DotLeaf.Dot4AvxVnniU8(px + 1, pw + 1, stride, n, off);
                            var b = DotLeaf.Dot4AvxVnniU8(px + 2 + n, pw + 1, stride, n, off);
                            for (int k = 0; k < 4; k++) { Assert.Equal(a.GetElement(k), sums[k]); Assert.Equal(b.GetElement(k), sums[4 + k]); }
                        }
                    }
        }

        [Fact]
        public void Requant_ShiftsMinus31To30EdgeMultipliersAndAccumulators_BitExactWithFixedPoint()
        {
            Assert.True(RandomCases.RequantSweep() > 100000);
        }

        [Fact]
        public void FullyConnected_Depths0To65_BitExactWithReference()
        {
            for (int depth = 0; depth <= 4 * 16 + 1; depth++)
                for (int seed = 0; seed < 7; seed++)
                    Assert.Null(RandomCases.FullyConnected(seed, depth));
        }

        [Fact]
        public void FullyConnected_OutputCounts1To20BatchesClampsSharedRequant_BitExactWithReference()
        {
            Assert.True(RandomCases.FullyConnectedOutSweep() > 2000);
        }

        [Fact]
        public void Add_Lengths0To65EdgeParametersAndBroadcast_BitExactWithReference()
        {
            for (int length = 0; length <= 4 * 16 + 1; length++)
                for (int seed = 0; seed < 30; seed++)
                    Assert.Null(RandomCases.Add(seed, length));
            for (int seed = 0; seed < 20; seed++)
                Assert.Null(RandomCases.Add(seed, 1000 + 37 * seed));
        }

        [Fact]
        public void Svdf_Int8AndInt16StateRanksMemoriesEdgeParameters_OutputAndStateBitExactWithReference()
        {
            Assert.True(RandomCases.SvdfSweep() > 700);
        }

        [SkippableFact]
        public void Add_NarrowPathEdgeParameters_BitExactWithReference()
        {
            Skip.IfNot(Avx2.IsSupported, "the 32-per-step ADD path needs AVX2 (the cases still run on the other paths in the ISA legs)");
            int cases = RandomCases.AddNarrowSweep(out int narrow);
            Assert.Equal(66 * 60 + 40, cases);
            Assert.True(narrow > cases / 3 && narrow < cases, $"{narrow} of {cases} cases on the narrow path (want more than a third, and some outside its limits)");
        }

        [Fact]
        public void Logistic_EveryInputValueEdgeParametersAndLengths_BitExactWithReference()
        {
            Assert.True(RandomCases.LogisticSweep() > 300);
        }

        [Fact]
        public void MaxPool2D_RandomShapesPaddingStridesClippedAndEmptyWindows_BitExactWithReference()
        {
            for (int seed = 0; seed < 300; seed++)
                Assert.Null(RandomCases.Pool(seed, average: false));
        }

        [Fact]
        public void AveragePool2D_RandomShapesPaddingStridesClippedAndEmptyWindows_BitExactWithReference()
        {
            for (int seed = 0; seed < 300; seed++)
                Assert.Null(RandomCases.Pool(seed, average: true));
        }

        [Fact]
        public void AddInt16AndSubInt16_Lengths0To65EdgeParametersAndBroadcast_BitExactWithReference()
        {
            Assert.True(RandomCases.AddInt16Sweep() > 3000);
        }

        [Fact]
        public void LeakyReluInt16_Lengths0To65EdgeMultipliersAndShifts_BitExactWithReference()
        {
            Assert.True(RandomCases.LeakyReluInt16Sweep() > 1900);
        }

        [Fact]
        public void Quantize_AllIntegerTypePairsLengths0To65EdgeParameters_BitExactWithReference()
        {
            Assert.True(RandomCases.QuantizeSweep() > 8000);
        }

        [Fact]
        public void Pad_RandomShapesPaddingsAndValuesInt8Int16_BitExactWithReference()
        {
            Assert.Equal(1500, RandomCases.PadSweep());
        }

        [Fact]
        public void StridedSlice_RandomShapesStartsStepsElementSizes_BitExactWithReference()
        {
            Assert.Equal(2000, RandomCases.StridedSliceSweep());
        }

        [Fact]
        public void Int16ElementwiseAndCopyOps_AliasedBuffers_MatchReferenceOrder()
        {
            Assert.Equal(6 * 5 * 5, RandomCases.AliasSweep());
        }

        [Fact]
        public void Round4Kernels_AliasedBuffers_MatchReferenceOrder()
        {
            Assert.Equal(9 * 6 * 4, RandomCases.Round4AliasSweep());
        }

        [Fact]
        public void Conv2D_RandomShapesPaddingStridesDilation_BitExactWithReference()
        {
            for (int seed = 0; seed < 400; seed++)
                Assert.Null(RandomCases.Conv(seed));
        }

        [Fact]
        public void ConvAndDepthwise_SmallChannels_BitExactWithReference()
        {
            Assert.Equal(480, RandomCases.SmallChannelSweep());
        }

        [Fact]
        public void DepthwiseConv2D_DepthMultiplier2To8_Cin1To3_KernelsTo10x8_BitExactWithReference()
        {
            Assert.Equal(210, RandomCases.DepthMultiplierSweep());
        }

        [Fact]
        public void DepthwiseConv2D_RandomShapesPaddingStridesDilation_BitExactWithReference()
        {
            for (int seed = 0; seed < 400; seed++)
                Assert.Null(RandomCases.Depthwise(seed));
        }

        [Fact]
        public void UnidirectionalSequenceLstm_States1To70InputsBatchesTimeMajorClipEdges_BitExactWithReference()
        {
            Assert.True(RandomCases.LstmSweep() > 300);
        }

        [SkippableFact]
        public void UnidirectionalSequenceLstm_Avx2SigmoidTanhEveryInt16InputAndScaling_BitExactWithReference()
        {
            Skip.IfNot(Avx2.IsSupported, "AVX2 is not supported in this process (the portable path uses the reference's scalar functions)");
            Assert.Equal(65536 * (15 + 32), RandomCases.LstmActivationSweep());
        }
    }
}
