using System;
using Mote.Packer.Quantization;
using Mote.Runtime.Kernels;
using Xunit;

namespace Mote.Packer.Tests.Quantization;

public class TfliteQuantMathTests
{
    [Theory]
    [InlineData(0.5, 1 << 30, 0)]            // 0.5 = 0.5 * 2^0
    [InlineData(1.0, 1 << 30, 1)]            // 1.0 = 0.5 * 2^1
    [InlineData(0.25, 1 << 30, -1)]
    [InlineData(0.75, 1610612736, 0)]        // 0.75 * 2^31
    [InlineData(3.0, 1610612736, 2)]         // 3 = 0.75 * 2^2
    [InlineData(-0.5, -(1 << 30), 0)]        // negative values keep their sign
    [InlineData(0.0, 0, 0)]
    public void QuantizeMultiplier_SimpleValues_GiveFrexpMantissaAndExponent(double real, int expectedMultiplier, int expectedShift)
    {
        TfliteQuantMath.QuantizeMultiplier(real, out int m, out int s);
        Assert.Equal((expectedMultiplier, expectedShift), (m, s));
    }

    [Fact]
    public void QuantizeMultiplier_MantissaRoundingTo2Pow31_RenormalizesToHalfAndIncrementsShift()
    {
        // 1 - 2^-33: frexp gives q = 1 - 2^-33, exponent 0; q * 2^31 = 2^31 - 0.25
        // rounds to 2^31, which TFLM halves to 2^30 with shift + 1.
        TfliteQuantMath.QuantizeMultiplier(1.0 - Math.Pow(2, -33), out int m, out int s);
        Assert.Equal((1 << 30, 1), (m, s));
    }

    [Fact]
    public void QuantizeMultiplier_ExactHalfUlp_RoundsAwayFromZero()
    {
        // 0.5 + 2^-32: q * 2^31 = 2^30 + 0.5 -> std::round gives 2^30 + 1
        // (banker's rounding would give 2^30).
        TfliteQuantMath.QuantizeMultiplier(0.5 + Math.Pow(2, -32), out int m, out int s);
        Assert.Equal((1073741825, 0), (m, s));
        TfliteQuantMath.QuantizeMultiplier(-(0.5 + Math.Pow(2, -32)), out m, out s);
        Assert.Equal((-1073741825, 0), (m, s));
    }

    [Theory]
    [InlineData(-32, 1 << 30, -31)]  // 2^-32 = 0.5 * 2^-31: smallest kept shift
    [InlineData(-33, 0, 0)]          // 2^-33 = 0.5 * 2^-32: shift < -31 flushes to zero
    [InlineData(-40, 0, 0)]
    public void QuantizeMultiplier_TinyPowersOfTwo_FlushBelowShiftMinus31(int log2, int expectedMultiplier, int expectedShift)
    {
        TfliteQuantMath.QuantizeMultiplier(Math.Pow(2, log2), out int m, out int s);
        Assert.Equal((expectedMultiplier, expectedShift), (m, s));
    }

    [Fact]
    public void QuantizeMultiplier_Subnormal_FlushesToZero()
    {
        TfliteQuantMath.QuantizeMultiplier(double.Epsilon, out int m, out int s);
        Assert.Equal((0, 0), (m, s));
    }

    [Fact]
    public void QuantizeMultiplier_LargeValue_ShiftNotClampedToThirty()
    {
        // 2^40 = 0.5 * 2^41. The single-rounding build would clamp to shift 30; the
        // default build does not.
        TfliteQuantMath.QuantizeMultiplier(Math.Pow(2, 40), out int m, out int s);
        Assert.Equal((1 << 30, 41), (m, s));
    }

    [Fact]
    public void QuantizeMultiplier_NaN_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => TfliteQuantMath.QuantizeMultiplier(double.NaN, out _, out _));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.0)]
    [InlineData(-0.25)]
    public void QuantizeMultiplierSmallerThanOneExp_OutOfOpenUnitInterval_Throws(double real)
    {
        Assert.ThrowsAny<ArgumentException>(() => TfliteQuantMath.QuantizeMultiplierSmallerThanOneExp(real, out _, out _));
    }

    [Theory]
    // scale 0.1, zero point -10: q(0) = -10, q(6) = -10 + round(6 / 0.1f) = -10 + 60 = 50,
    // q(-1) = -20, q(1) = 0.
    [InlineData(TfliteQuantMath.ActivationNone, 0.1f, -10, -128, 127)]
    [InlineData(TfliteQuantMath.ActivationRelu, 0.1f, -10, -10, 127)]
    [InlineData(TfliteQuantMath.ActivationRelu6, 0.1f, -10, -10, 50)]
    [InlineData(TfliteQuantMath.ActivationReluN1To1, 0.1f, -10, -20, 0)]
    // scale 0.01, zero point 0: q(6) = 600 -> clamped to 127; q(-1) = -100.
    [InlineData(TfliteQuantMath.ActivationRelu6, 0.01f, 0, 0, 127)]
    [InlineData(TfliteQuantMath.ActivationReluN1To1, 0.01f, 0, -100, 100)]
    // zero point -128 and RELU: min is -128.
    [InlineData(TfliteQuantMath.ActivationRelu, 0.05f, -128, -128, 127)]
    // TANH (4) does not clamp.
    [InlineData(4, 0.1f, -10, -128, 127)]
    public void ActivationRange_Int8_MatchesHandQuantizedBounds(int activation, float scale, int zeroPoint, int expectedMin, int expectedMax)
    {
        TfliteQuantMath.ActivationRange(activation, scale, zeroPoint, out int min, out int max);
        Assert.Equal((expectedMin, expectedMax), (min, max));
    }

    [Fact]
    public void ActivationRange_Relu6_QuantizesInFloatNotDouble()
    {
        // 2.4f = 2.400000095367431640625. In double, 6 / 2.4f = 2.49999990... rounds
        // to 2. In float the quotient rounds to exactly 2.5f (it is within half an
        // ulp, 2^-23, of 2.5), and roundf(2.5) = 3. TFLM divides in float: max = 3.
        TfliteQuantMath.ActivationRange(TfliteQuantMath.ActivationRelu6, 2.4f, 0, out int min, out int max);
        Assert.Equal((0, 3), (min, max));
    }

    [Fact]
    public void ConvPerChannel_PerChannelScales_GiveOneMultiplierPerChannel()
    {
        // 0.5 * 0.25 / 0.125 = 1.0 -> (2^30, 1); 0.5 * 0.5 / 0.125 = 2.0 -> (2^30, 2);
        // 0.5 * 0.0234375 / 0.125 = 0.09375 = 0.75 * 2^-3 -> (1610612736, -3).
        var m = new int[3];
        var s = new int[3];
        TfliteQuantMath.ConvPerChannel(0.5f, new[] { 0.25f, 0.5f, 0.0234375f }, 0.125f, 3, m, s);
        Assert.Equal(new[] { 1 << 30, 1 << 30, 1610612736 }, m);
        Assert.Equal(new[] { 1, 2, -3 }, s);
    }

    [Fact]
    public void ConvPerChannel_SingleScale_BroadcastsToAllChannels()
    {
        var m = new int[4];
        var s = new int[4];
        TfliteQuantMath.ConvPerChannel(0.5f, new[] { 0.25f }, 0.125f, 4, m, s);
        Assert.Equal(new[] { 1 << 30, 1 << 30, 1 << 30, 1 << 30 }, m);
        Assert.Equal(new[] { 1, 1, 1, 1 }, s);
    }

    // a = 1 + 2^-12 is exact in float. a * a = 1 + 2^-11 + 2^-24 exactly in double;
    // in float the 2^-24 term is half an ulp and ties-to-even drops it: 1 + 2^-11.
    // With output scale 1: double product -> frexp mantissa 0.5 + 2^-12 + 2^-25
    // -> * 2^31 = 2^30 + 2^19 + 2^6 = 1074266176, shift 1;
    // float product -> 0.5 + 2^-12 -> 2^30 + 2^19 = 1074266112, shift 1.
    private const float OnePlus2Pow12 = 1.000244140625f;

    [Fact]
    public void ConvPerChannel_SingleScale_MultipliesScalesInDouble()
    {
        var m = new int[1];
        var s = new int[1];
        TfliteQuantMath.ConvPerChannel(OnePlus2Pow12, new[] { OnePlus2Pow12 }, 1.0f, 1, m, s);
        Assert.Equal((1074266176, 1), (m[0], s[0]));
    }

    [Fact]
    public void FullyConnected_PerTensor_MultipliesScalesInFloat()
    {
        // GetQuantizedConvolutionMultipler: (double)(input_scale * filter_scale), a
        // float product; the result is repeated for every output.
        var m = new int[2];
        var s = new int[2];
        TfliteQuantMath.FullyConnected(OnePlus2Pow12, new[] { OnePlus2Pow12 }, 1.0f, 2, m, s);
        Assert.Equal(new[] { 1074266112, 1074266112 }, m);
        Assert.Equal(new[] { 1, 1 }, s);
    }

    [Fact]
    public void FullyConnected_PerChannel_MultipliesScalesInDouble()
    {
        var m = new int[2];
        var s = new int[2];
        TfliteQuantMath.FullyConnected(OnePlus2Pow12, new[] { OnePlus2Pow12, 0.5f }, 1.0f, 2, m, s);
        // Channel 1: (1 + 2^-12) * 0.5 = 0.5 + 2^-13 -> mantissa * 2^31 = 2^30 + 2^18, shift 0.
        Assert.Equal(new[] { 1074266176, 1074003968 }, m);
        Assert.Equal(new[] { 1, 0 }, s);
    }

    [Fact]
    public void FullyConnected_ScaleCountMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            TfliteQuantMath.FullyConnected(1f, new[] { 1f, 2f }, 1f, 3, new int[3], new int[3]));
    }

    [Fact]
    public void Add_DifferentInputScales_MatchesHandDerivedParams()
    {
        // twice_max = 2 * 0.5 = 1.0; input1 0.5 -> (2^30, 0); input2 0.25 -> (2^30, -1);
        // output 1 / (2^20 * 0.5) = 2^-19 = 0.5 * 2^-18 -> (2^30, -18).
        // RELU6 at scale 0.5, zero point 3: [3, 3 + 12] = [3, 15].
        var p = new AddParams();
        TfliteQuantMath.Add(0.5f, 2, 0.25f, -1, 0.5f, 3, TfliteQuantMath.ActivationRelu6, p);
        Assert.Equal(20, p.LeftShift);
        Assert.Equal((-2, 1 << 30, 0), (p.Input1Offset, p.Input1Multiplier, p.Input1Shift));
        Assert.Equal((1, 1 << 30, -1), (p.Input2Offset, p.Input2Multiplier, p.Input2Shift));
        Assert.Equal((3, 1 << 30, -18), (p.OutputOffset, p.OutputMultiplier, p.OutputShift));
        Assert.Equal((3, 15), (p.ActivationMin, p.ActivationMax));
    }

    [Fact]
    public void Add_TinyOutputScale_ThrowsLikeTfliteCheck()
    {
        // twice_max / (2^20 * out) >= 1 violates QuantizeMultiplierSmallerThanOneExp.
        Assert.ThrowsAny<ArgumentException>(() =>
            TfliteQuantMath.Add(1f, 0, 1f, 0, 1e-7f, 0, TfliteQuantMath.ActivationNone, new AddParams()));
    }

    [Fact]
    public void Softmax_ScaleOneSixteenth_MatchesHandDerivedParams()
    {
        // 1 * 2^-4 * 2^26 = 2^22 = 0.5 * 2^23 -> (2^30, 23);
        // radius = floor(31 * 2^26 / 2^23) = 248.
        var p = new SoftmaxParams();
        TfliteQuantMath.Softmax(1.0f, 0.0625f, p);
        Assert.Equal((1 << 30, 23, -248), (p.InputMultiplier, p.InputLeftShift, p.DiffMin));
    }

    [Fact]
    public void Softmax_ScaleOneTenth_MatchesHandDerivedParams()
    {
        // 0.1f = 13421773 * 2^-27; * 2^26 = 6710886.5 = 0.80000001192... * 2^23;
        // mantissa * 2^31 = 6710886.5 * 2^8 = 1717986944 exactly -> (1717986944, 23);
        // radius = floor(31 * 8) = 248.
        var p = new SoftmaxParams();
        TfliteQuantMath.Softmax(1.0f, 0.1f, p);
        Assert.Equal((1717986944, 23, -248), (p.InputMultiplier, p.InputLeftShift, p.DiffMin));
    }

    [Fact]
    public void Softmax_HugeScale_CapsMultiplierAt2Pow31Minus1()
    {
        // 100 * 2^26 exceeds 2^31 - 1, capped: frexp(2^31 - 1) = (1 - 2^-31, 31)
        // -> (2^31 - 1, 31); radius = floor(31 * 2^26 / 2^31) = floor(0.96875) = 0.
        var p = new SoftmaxParams();
        TfliteQuantMath.Softmax(1.0f, 100f, p);
        Assert.Equal((int.MaxValue, 31, 0), (p.InputMultiplier, p.InputLeftShift, p.DiffMin));
    }

    [Fact]
    public void Softmax_BetaHalfScaleQuarter_MatchesHandDerivedParams()
    {
        // 0.5 * 0.25 * 2^26 = 2^23 = 0.5 * 2^24 -> (2^30, 24); radius floor(31 * 4) = 124.
        var p = new SoftmaxParams();
        TfliteQuantMath.Softmax(0.5f, 0.25f, p);
        Assert.Equal((1 << 30, 24, -124), (p.InputMultiplier, p.InputLeftShift, p.DiffMin));
    }

    [Fact]
    public void Softmax_MultiplierAtMostOne_ThrowsLikeTfliteCheck()
    {
        // beta * scale * 2^26 = 2^-30 * 2^26 < 1: QuantizeMultiplierGreaterThanOne aborts in TFLM.
        Assert.ThrowsAny<ArgumentException>(() => TfliteQuantMath.Softmax(1.0f, (float)Math.Pow(2, -30), new SoftmaxParams()));
    }
}
