using System;
using System.Linq;
using Mote.Packer.Float;
using Mote.Packer.Quantization;
using Xunit;

namespace Mote.Packer.Tests.Quantization
{
    /// <summary>The post-training quantizer's arithmetic, against values computed by hand.</summary>
    public class PtqMathTests
    {
        [Theory]
        // [min, max] widened to include 0; scale = (max - min) / 255; zp = round(-128 - min / scale), halves away from zero.
        [InlineData(0f, 6f, 6f / 255, -128)]
        [InlineData(-3f, 0f, 3f / 255, 127)]
        [InlineData(-1f, 1f, 2f / 255, -1)]          // -128 + 127.5 = -0.5 -> -1
        [InlineData(2f, 4f, 4f / 255, -128)]         // 0 added below: [0, 4]
        [InlineData(-4f, -2f, 4f / 255, 127)]        // 0 added above: [-4, 0]
        [InlineData(-1f, 3f, 4f / 255, -64)]         // -128 + 63.75 = -64.25 -> -64
        public void Int8Params_FollowsTheAsymmetricConvention(float min, float max, float scale, int zp)
        {
            var (s, z) = new QuantRange(min, max).Int8Params();
            Assert.Equal(scale, s, 6);
            Assert.Equal(zp, z);
        }

        [Fact]
        public void Int8Params_ZeroIsExactlyRepresentable()
        {
            var rng = new Random(3);
            for (int i = 0; i < 1000; i++)
            {
                float lo = -(float)rng.NextDouble() * 10, hi = (float)rng.NextDouble() * 10;
                var (s, z) = new QuantRange(lo, hi).Int8Params();
                Assert.InRange(z, -128, 127);
                Assert.Equal(z, Int8Runner.Quantize(0f, s, z));
            }
        }

        [Fact]
        public void Int8Params_DegenerateRangeStillGivesAPositiveScale()
        {
            var (s, z) = new QuantRange(0, 0).Int8Params();
            Assert.True(s > 0);
            Assert.Equal(-128, z);
        }

        [Fact]
        public void QuantizeWeights_PerOutputChannelSymmetric()
        {
            // Two output channels (axis 0) of two weights each.
            var (q, scales) = Quantizer.QuantizeWeights(new[] { 1f, -0.5f, 0.25f, 0f }, new[] { 2, 2 }, 0);
            Assert.Equal(1f / 127, scales[0], 7);
            Assert.Equal(0.25f / 127, scales[1], 7);
            // -0.5 / (1/127) = -63.5 -> -64 (away from zero); 0.25 / (0.25/127) = 127.
            Assert.Equal(new sbyte[] { 127, -64, 127, 0 }, q);
        }

        [Fact]
        public void QuantizeWeights_ChannelAxisLast_ForDepthwiseFilters()
        {
            // [1, 1, 2, 2]: channel = index % 2. Channel 0 holds 2 and -1, channel 1 holds 0.5 and 0.25.
            var (q, scales) = Quantizer.QuantizeWeights(new[] { 2f, 0.5f, -1f, 0.25f }, new[] { 1, 1, 2, 2 }, 3);
            Assert.Equal(2f / 127, scales[0], 7);
            Assert.Equal(0.5f / 127, scales[1], 7);
            Assert.Equal(new sbyte[] { 127, 127, -64, 64 }, q); // -63.5 -> -64, 63.5 -> 64
        }

        [Fact]
        public void QuantizeWeights_AllZeroChannel_GetsAUsableScale()
        {
            var (q, scales) = Quantizer.QuantizeWeights(new[] { 0f, 0f, 1f, 1f }, new[] { 2, 2 }, 0);
            Assert.True(scales[0] > 0);
            Assert.Equal(new sbyte[] { 0, 0, 127, 127 }, q);
        }

        [Fact]
        public void QuantizeBias_UsesInputTimesWeightScale()
        {
            // Exact binary fractions: 12.5 / (0.25 * 0.5) = 100; -0.3125 / 0.125 = -2.5 -> -3 (away from zero).
            var q = Quantizer.QuantizeBias(new[] { 12.5f, -0.3125f }, 0.25f, new[] { 0.5f, 0.5f }, "t");
            Assert.Equal(new[] { 100, -3 }, q);
        }

        [Fact]
        public void QuantizeBias_Overflow_IsAClearError()
        {
            var e = Assert.Throws<PackException>(() => Quantizer.QuantizeBias(new[] { 1e6f }, 1e-5f, new[] { 1e-5f }, "m.onnx: conv"));
            Assert.Contains("does not fit int32", e.Message);
            Assert.Contains("m.onnx: conv", e.Message);
        }

        static TensorStats Stats(float[] values)
        {
            var s = new TensorStats();
            s.ObserveRange(values);
            s.ObserveHistogram(values);
            return s;
        }

        [Fact]
        public void Percentile_ClipsARareOutlier_MinMaxKeepsIt()
        {
            // 10000 values uniform on [0, 1) and one outlier at 100.
            var v = Enumerable.Range(0, 10000).Select(i => i / 10000f).Append(100f).ToArray();
            var s = Stats(v);
            Assert.Equal(100f, s.MinMaxRange().Max);
            var p = s.PercentileRange(99.9);
            Assert.Equal(0f, p.Min); // a side that never crosses zero keeps its extreme
            Assert.InRange(p.Max, 0.95f, 1.1f);
        }

        [Fact]
        public void Mse_KeepsASingleFarOutlier_BecauseClippingItCostsMore()
        {
            // Clipping 100 to ~1 costs 99^2 = 9801; the coarser grid costs 10001 * (100/255)^2 / 12 = 128.
            var v = Enumerable.Range(0, 10000).Select(i => i / 10000f).Append(100f).ToArray();
            Assert.InRange(Stats(v).MseRange().Max, 95f, 100f);
        }

        [Fact]
        public void Mse_ClipsTheTailsOfAHeavyTailedDistribution()
        {
            // Laplace(0, 1) samples by inverse CDF: the extremes are rare, the grid is better spent on the body.
            var rng = new Random(5);
            var v = Enumerable.Range(0, 200000).Select(_ =>
            {
                double u = rng.NextDouble() - 0.5;
                return (float)(-Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u)));
            }).ToArray();
            var s = Stats(v);
            var mse = s.MseRange();
            Assert.True(mse.Max < s.Max * 0.95 && mse.Min > s.Min * 0.95, $"MSE range {mse} vs observed [{s.Min}, {s.Max}]");
            Assert.True(s.QuantizationError(mse) < s.QuantizationError(s.MinMaxRange()) * 0.9);
        }

        [Fact]
        public void Mse_KeepsTheFullRangeOfAUniformDistribution()
        {
            var v = Enumerable.Range(0, 20000).Select(i => -1f + 2f * i / 19999f).ToArray();
            var r = Stats(v).MseRange();
            Assert.InRange(r.Min, -1f, -0.95f);
            Assert.InRange(r.Max, 0.95f, 1f);
        }

        [Fact]
        public void QuantizationError_MatchesHandComputation()
        {
            // All mass at 0.5 (inside): error per value = scale^2 / 12 with scale = 1/255 for [0, 1].
            var s = Stats(Enumerable.Repeat(0.5f, 100).Append(0f).Append(1f).ToArray());
            double expected = 102 * Math.Pow(1.0 / 255, 2) / 12;
            Assert.Equal(expected, s.QuantizationError(new QuantRange(0, 1)), 10);
            // Range [0, 0.25]: the 101 values at 0.5 and 1 clip at 127 steps of 0.25/255 = 0.2490...
            var r = new QuantRange(0, 0.25f);
            var (scale, zp) = r.Int8Params();
            double top = (127 - zp) * (double)scale;
            // Values are counted at their bin centres: 0.5 in bin 1024, 1 in the last bin, 0 in bin 0.
            double c1024 = (1024 + 0.5) / 2048, cLast = (2047 + 0.5) / 2048;
            double clipped = 100 * Math.Pow(c1024 - top, 2) + Math.Pow(cLast - top, 2) + Math.Pow(scale, 2) / 12;
            Assert.Equal(clipped, s.QuantizationError(r), 4);
        }

        [Fact]
        public void Quantize_RoundsHalfAwayFromZeroAndClamps()
        {
            Assert.Equal(3, Int8Runner.Quantize(1.25f, 0.5f, 0));     // 2.5 -> 3
            Assert.Equal(-3, Int8Runner.Quantize(-1.25f, 0.5f, 0));   // -2.5 -> -3
            Assert.Equal(2, Int8Runner.Quantize(1.2f, 0.5f, 0));      // 2.4 -> 2
            Assert.Equal(127, Int8Runner.Quantize(1000f, 0.1f, 0));
            Assert.Equal(-128, Int8Runner.Quantize(-1000f, 0.1f, 5));
            Assert.Equal(-118, Int8Runner.Quantize(1f, 0.1f, -128));
        }

        [Fact]
        public void ErrorStats_SqnrAndCosine()
        {
            var e = new ErrorStats();
            e.Add(new[] { 3f, 4f }, new[] { 3f, 3f });
            // signal 25, noise 1 -> 10 log10 25 = 13.979 dB; cosine = (9 + 12) / (5 * sqrt 18)
            Assert.Equal(10 * Math.Log10(25), e.SqnrDb, 9);
            Assert.Equal(21 / (5 * Math.Sqrt(18)), e.Cosine, 9);
        }

        [Fact]
        public void TieGroups_PoolReshapeAndConcatShareParameters_SoftmaxIsFixed()
        {
            var g = new FloatGraph { SourceName = "t" };
            var x = g.AddTensor("x", new[] { 1, 4, 4, 2 });
            var p = g.AddTensor("p", new[] { 1, 2, 2, 2 });
            var r = g.AddTensor("r", new[] { 1, 8 });
            var s = g.AddTensor("s", new[] { 1, 8 });
            g.Ops.Add(new FOp { Kind = FloatOpKind.MaxPool2D, Inputs = new[] { x.Index }, Outputs = new[] { p.Index }, FilterH = 2, FilterW = 2, StrideH = 2, StrideW = 2 });
            g.Ops.Add(new FOp { Kind = FloatOpKind.Reshape, Inputs = new[] { p.Index }, Outputs = new[] { r.Index } });
            g.Ops.Add(new FOp { Kind = FloatOpKind.Softmax, Inputs = new[] { r.Index }, Outputs = new[] { s.Index } });
            var groups = Quantizer.TieGroups(g);
            Assert.Contains(groups, grp => grp.SequenceEqual(new[] { 0, 1, 2 }));
            Assert.Contains(groups, grp => grp.SequenceEqual(new[] { 3 }));
            var stats = new TensorStats[4];
            for (int i = 0; i < 3; i++) { stats[i] = new TensorStats(); stats[i].ObserveRange(new[] { -1f * (i + 1), 2f }); }
            var act = Quantizer.AssignActivations(g, stats, _ => RangeMethod.MinMax, 99.9);
            // The group takes the union [-3, 2]; softmax output is fixed at 1/256, -128.
            Assert.Equal(act[0].Scale, act[2].Scale);
            Assert.Equal(5f / 255, act[0].Scale, 6);
            Assert.Equal(1f / 256, act[3].Scale);
            Assert.Equal(-128, act[3].ZeroPoint);
            Assert.Equal("SOFTMAX output", act[3].How);
        }

        [Fact]
        public void BiasCorrection_ShiftIsWeightRoundingErrorTimesInputMean()
        {
            // FC [2 outputs, 2 inputs]. Channel 0: w = [1, 0.3], scale 1/127, q = [127, 38] -> error on w1 = 38/127 - 0.3.
            // Channel 1: w = [0, 0.5], scale 0.5/127, q = [0, 127], no error. Input means [2, 4].
            var w = new[] { 1f, 0.3f, 0f, 0.5f };
            var (q, scales) = Quantizer.QuantizeWeights(w, new[] { 2, 2 }, 0);
            Assert.Equal(new sbyte[] { 127, 38, 0, 127 }, q);
            var shift = Quantizer.WeightRoundingShift(w, new[] { 2, 2 }, false, q, scales, new[] { 2.0, 4.0 });
            Assert.Equal((38.0 / 127 - 0.3) * 4, shift[0], 5);
            Assert.Equal(0, shift[1], 6);
        }

        [Fact]
        public void BiasCorrection_Depthwise_UsesTheInputChannelOfEachOutput()
        {
            // Depthwise [1, 1, 2, 4] (two taps) with multiplier 2: outputs 0,1 read input 0 (mean 1), outputs 2,3 input 1 (mean 10).
            // Tap 0 = 1 everywhere (scale 1/127, exact); tap 1 = 0.3 rounds to 38/127.
            var w = new[] { 1f, 1f, 1f, 1f, 0.3f, 0.3f, 0.3f, 0.3f };
            var (q, scales) = Quantizer.QuantizeWeights(w, new[] { 1, 1, 2, 4 }, 3);
            Assert.Equal(new sbyte[] { 127, 127, 127, 127, 38, 38, 38, 38 }, q);
            var shift = Quantizer.WeightRoundingShift(w, new[] { 1, 1, 2, 4 }, true, q, scales, new[] { 1.0, 10.0 });
            double e = 38.0 / 127 - 0.3f;
            Assert.Equal(e, shift[0], 5);
            Assert.Equal(e, shift[1], 5);
            Assert.Equal(10 * e, shift[2], 5);
            Assert.Equal(10 * e, shift[3], 5);
        }
    }
}
