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
    public void AddInt16_DifferentInputScales_UsesLeftShift15AndInt16ActivationRange()
    {
        // As the int8 case but left shift 15: output 1 / (2^15 * 0.5) = 2^-14 = 0.5 * 2^-13 -> (2^30, -13).
        // RELU6 at scale 0.5, zero point 0 on int16: [0, 12].
        var p = new AddParams();
        TfliteQuantMath.Add(0.5f, 0, 0.25f, 0, 0.5f, 0, TfliteQuantMath.ActivationRelu6, Mote.Runtime.Format.DataType.Int16, p);
        Assert.Equal(15, p.LeftShift);
        Assert.Equal(Mote.Runtime.Format.DataType.Int16, p.ElementType);
        Assert.Equal((0, 1 << 30, 0), (p.Input1Offset, p.Input1Multiplier, p.Input1Shift));
        Assert.Equal((0, 1 << 30, -1), (p.Input2Offset, p.Input2Multiplier, p.Input2Shift));
        Assert.Equal((0, 1 << 30, -13), (p.OutputOffset, p.OutputMultiplier, p.OutputShift));
        Assert.Equal((0, 12), (p.ActivationMin, p.ActivationMax));
    }

    [Theory]
    [InlineData(TfliteQuantMath.ActivationNone, 0.001f, -32768, 32767)]
    [InlineData(TfliteQuantMath.ActivationRelu, 0.001f, 0, 32767)]
    [InlineData(TfliteQuantMath.ActivationRelu6, 0.001f, 0, 6000)]       // round(6 / 0.001f) = 6000
    [InlineData(TfliteQuantMath.ActivationRelu6, 1e-6f, 0, 32767)]       // 6e6 clamps to the int16 maximum
    [InlineData(TfliteQuantMath.ActivationReluN1To1, 1f / 16384, -16384, 16384)]
    [InlineData(TfliteQuantMath.ActivationReluN1To1, 1e-5f, -32768, 32767)] // +-100000 clamp to int16
    public void ActivationRange_Int16_ClampsToTheInt16Range(int activation, float scale, int min, int max)
    {
        TfliteQuantMath.ActivationRange(activation, scale, 0, Mote.Runtime.Format.DataType.Int16, out int lo, out int hi);
        Assert.Equal((min, max), (lo, hi));
    }

    [Fact]
    public void Sub_PowerOfTwoScales_MatchesAddParams()
    {
        // Exact in float and double alike: SUB's params equal ADD's (int8: left shift 20, output (2^30, -18)).
        var s = new AddParams();
        var a = new AddParams();
        TfliteQuantMath.Sub(0.5f, 2, 0.25f, -1, 0.5f, 3, TfliteQuantMath.ActivationRelu6, Mote.Runtime.Format.DataType.Int8, s);
        TfliteQuantMath.Add(0.5f, 2, 0.25f, -1, 0.5f, 3, TfliteQuantMath.ActivationRelu6, a);
        Assert.Equal((20, -2, 1 << 30, 0, 1, 1 << 30, -1), (s.LeftShift, s.Input1Offset, s.Input1Multiplier, s.Input1Shift, s.Input2Offset, s.Input2Multiplier, s.Input2Shift));
        Assert.Equal((3, 1 << 30, -18, 3, 15), (s.OutputOffset, s.OutputMultiplier, s.OutputShift, s.ActivationMin, s.ActivationMax));
        Assert.Equal((a.Input1Multiplier, a.OutputMultiplier), (s.Input1Multiplier, s.OutputMultiplier));
    }

    [Fact]
    public void Sub_NonPowerOfTwoScales_RoundsTheRealMultipliersToFloatLikeTflm()
    {
        // TFLM's CalculateOpDataSub divides in float: a float mantissa has 24 bits, so
        // round(q * 2^31) of a float q in [0.5, 1) is a multiple of 2^7. ADD divides in double and
        // 0.3f / 1.4f has no such short mantissa, so the two differ.
        var s = new AddParams();
        var a = new AddParams();
        TfliteQuantMath.Sub(0.3f, 0, 0.7f, 0, 0.9f, 0, TfliteQuantMath.ActivationNone, Mote.Runtime.Format.DataType.Int16, s);
        TfliteQuantMath.Add(0.3f, 0, 0.7f, 0, 0.9f, 0, TfliteQuantMath.ActivationNone, Mote.Runtime.Format.DataType.Int16, a);
        Assert.Equal(0, s.Input1Multiplier % 128);
        Assert.Equal(0, s.OutputMultiplier % 128);
        Assert.NotEqual(a.Input1Multiplier, s.Input1Multiplier);
        Assert.Equal(a.Input1Shift, s.Input1Shift);
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

    // ------------------------------------------------------------------ format 1.1 operators

    [Fact]
    public void Mul_MultipliesScalesInDoubleAndKeepsOffsetsAndActivation()
    {
        // CalculateOpDataMul: (double)s1 * (double)s2 / (double)so. With (1 + 2^-12)^2 the double
        // product keeps the 2^-24 term: (1074266176, 1) (the float product would give 1074266112).
        var p = new MulParams();
        TfliteQuantMath.Mul(OnePlus2Pow12, 3, OnePlus2Pow12, -4, 1.0f, -128, TfliteQuantMath.ActivationRelu, p);
        Assert.Equal((1074266176, 1), (p.OutputMultiplier, p.OutputShift));
        Assert.Equal((-3, 4, -128), (p.Input1Offset, p.Input2Offset, p.OutputOffset));
        Assert.Equal((-128, 127), (p.ActivationMin, p.ActivationMax));
    }

    [Fact]
    public void Mul_SmallProduct_NegativeShift()
    {
        // 0.5 * 0.25 / 4 = 2^-5 = 0.5 * 2^-4 -> (2^30, -4); RELU6 at scale 4: q(6) = round(1.5) = 2.
        var p = new MulParams();
        TfliteQuantMath.Mul(0.5f, 0, 0.25f, 0, 4f, 0, TfliteQuantMath.ActivationRelu6, p);
        Assert.Equal((1 << 30, -4), (p.OutputMultiplier, p.OutputShift));
        Assert.Equal((0, 2), (p.ActivationMin, p.ActivationMax));
    }

    [Fact]
    public void Mul_MultiplierNeedingShiftAbove30_Throws()
    {
        // 1 * 1 / 2^-40 = 2^40 -> shift 41: MultiplyByQuantizedMultiplier would overflow.
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            TfliteQuantMath.Mul(1f, 0, 1f, 0, (float)Math.Pow(2, -40), 0, 0, new MulParams()));
    }

    [Theory]
    // scale 1/16: 2^-4 * 2^27 = 2^23 = 0.5 * 2^24 -> (2^30, 24); radius floor(15 * 2^27 / 2^24) = 120.
    [InlineData(0.0625f, 5, 1 << 30, 24, 120)]
    // scale 0.2f = 13421773 * 2^-26: * 2^27 = 26843546 = (26843546 * 2^6) * 2^(25 - 31) -> (1717986944, 25);
    // radius floor(15 * 2^27 / 2^25) = 60.
    [InlineData(0.2f, 0, 1717986944, 25, 60)]
    // scale 4: 2^29 = 0.5 * 2^30 -> (2^30, 30); radius floor(15 * 2^27 / 2^30) = floor(1.875) = 1.
    [InlineData(4f, -128, 1 << 30, 30, 1)]
    public void LogisticTanh_MatchesHandDerivedFrexpParams(float scale, int zeroPoint, int multiplier, int shift, int radius)
    {
        var p = new FixedPointActivationParams();
        TfliteQuantMath.LogisticTanh(scale, zeroPoint, p);
        Assert.Equal((-zeroPoint, multiplier, shift, radius), (p.InputOffset, p.InputMultiplier, p.InputLeftShift, p.InputRangeRadius));
    }

    [Theory]
    [InlineData(8f)]       // 2^30 = 0.5 * 2^31: shift 31 (TFLM's radius would be 0)
    [InlineData(1e-9f)]    // below 2^-28: negative shift, undefined in TFLM's CalculateInputRadius
    public void LogisticTanh_ScaleOutsideSupportedRange_Throws(float scale)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TfliteQuantMath.LogisticTanh(scale, 0, new FixedPointActivationParams()));
    }

    [Fact]
    public void Relu_DividesScalesInFloat()
    {
        // CalculateReluOpData: (double)(in / out) with a float quotient. 1f / 3f = 11184811 * 2^-25
        // -> mantissa * 2^31 = 11184811 * 2^7 = 1431655808, shift -1 (double division: 1431655765).
        var p = new ReluParams();
        TfliteQuantMath.Relu(1f, 7, 3f, -20, p);
        Assert.Equal((1431655808, -1), (p.OutputMultiplier, p.OutputShift));
        Assert.Equal((-7, -20), (p.InputOffset, p.OutputOffset));
        Assert.Equal((-20, 127), (p.ActivationMin, p.ActivationMax));
    }

    [Theory]
    [InlineData(2.4f, 0, 0, 3)]       // 6 / 2.4f is exactly 2.5f in float -> round half away -> 3 (double: 2)
    [InlineData(0.05f, -128, -128, -8)] // 6 / 0.05f -> 120.0f -> -128 + 120
    [InlineData(0.01f, 100, 100, 127)] // 100 + 600 clamps to 127
    public void Relu6_UsesInputQuantizationInFloat(float scale, int zeroPoint, int lower, int upper)
    {
        var p = new Relu6Params();
        TfliteQuantMath.Relu6(scale, zeroPoint, p);
        Assert.Equal((lower, upper), (p.Lower, p.Upper));
    }

    [Fact]
    public void LeakyRelu_ComputesBothMultipliersInFloat()
    {
        // alpha: (1 + 2^-12) * (1 + 2^-12) in float = 1 + 2^-11 -> (1074266112, 1) (double: 1074266176);
        // identity: 1 + 2^-12 = (0.5 + 2^-13) * 2 -> (2^30 + 2^18, 1) = (1074003968, 1).
        var p = new LeakyReluParams();
        TfliteQuantMath.LeakyRelu(OnePlus2Pow12, 4, OnePlus2Pow12, 1f, -9, p);
        Assert.Equal((1074266112, 1), (p.AlphaMultiplier, p.AlphaShift));
        Assert.Equal((1074003968, 1), (p.IdentityMultiplier, p.IdentityShift));
        Assert.Equal((-4, -9), (p.InputOffset, p.OutputOffset));
    }

    [Theory]
    [InlineData(-0.5f, -(1 << 30), 0)] // a negative alpha keeps its sign in the multiplier
    [InlineData(0f, 0, 0)]
    [InlineData(0.3f, 1288490240, -1)] // 0.3f = 10066330 * 2^-25 = (10066330 * 2^-24) * 2^-1 -> 10066330 * 2^7 (double 0.3 would give 1288490189)
    public void LeakyRelu_AlphaSignAndZero(float alpha, int multiplier, int shift)
    {
        var p = new LeakyReluParams();
        TfliteQuantMath.LeakyRelu(1f, 0, alpha, 1f, 0, p);
        Assert.Equal((multiplier, shift), (p.AlphaMultiplier, p.AlphaShift));
    }

    [Theory]
    [InlineData(1f, 3f, 1431655765, -1)] // double division: 2/3 * 2^31 = 1431655765.33
    [InlineData(0.05f, 0.05f, 1 << 30, 1)] // equal scales: exactly 1.0 -> (2^30, 1), an exact identity
    [InlineData(0.08f, 0.01f, 1 << 30, 4)] // (double)0.08f / (double)0.01f rounds to exactly 8.0 -> (2^30, 4)
    public void Requantize_DividesScalesInDouble(float inScale, float outScale, int multiplier, int shift)
    {
        var p = new RequantizeParams();
        TfliteQuantMath.Requantize(inScale, 3, outScale, -5, p);
        Assert.Equal((multiplier, shift), (p.OutputMultiplier, p.OutputShift));
        Assert.Equal((-3, -5), (p.InputOffset, p.OutputOffset));
    }

    [Fact]
    public void HardSwish_MatchesHandDerivedInt16Multipliers()
    {
        // Input 1/32, output 1/64: hires 2^-12; output 2^-6 -> (2^30, -5) -> int16 16384;
        // reluish 2^-12 / (3 / 32768) = 8/3 -> (1431655765, 2) -> int16 21845.
        var p = new HardSwishParams();
        TfliteQuantMath.HardSwish(1f / 32, 3, 1f / 64, -7, p);
        Assert.Equal((16384, -5, 21845, 2), (p.OutputMultiplier, p.OutputExponent, p.ReluishMultiplier, p.ReluishExponent));
        Assert.Equal((-3, -7), (p.InputOffset, p.OutputOffset));
    }

    [Fact]
    public void HardSwish_OutputScaleBelowInputScaleOver128_ThrowsLikeTflm()
    {
        // (1/128) / 2^-10 = 8 -> exponent 4 > 0: TFLM's Prepare fails.
        Assert.Throws<ArgumentOutOfRangeException>(() => TfliteQuantMath.HardSwish(1f, 0, 1f / 1024, 0, new HardSwishParams()));
    }

    [Theory]
    [InlineData(int.MaxValue, 32767)]
    [InlineData(int.MaxValue - 32768, 32767)]  // within 2^15 of the maximum: saturates
    [InlineData(1 << 30, 16384)]
    [InlineData(98303, 1)]                     // 1.49999 -> 1
    [InlineData(98304, 2)]                     // 1.5 -> 2 (adds 2^15, then shifts)
    [InlineData(0, 0)]
    public void DownScaleInt32ToInt16Multiplier_RoundsAndSaturates(int multiplier, int expected)
    {
        Assert.Equal(expected, TfliteQuantMath.DownScaleInt32ToInt16Multiplier(multiplier));
    }

    [Theory]
    // Equal scales: (2^30, 1). n = 3: shift floor(log2 3) = 1, (2^30 << 1) / 3 = 715827882, shift 0.
    [InlineData(1f, 1f, 3L, 715827882, 0)]
    // n = 12: shift 3, (2^30 << 3) / 12 = 715827882, shift -2.
    [InlineData(1f, 1f, 12L, 715827882, -2)]
    // Ratio 0.5 -> (2^30, 0); n = 49: shift 5, 2^35 / 49 = 701219150.36 -> 701219150, shift -5.
    [InlineData(0.5f, 1f, 49L, 701219150, -5)]
    // n = 1: shift 0, unchanged.
    [InlineData(0.5f, 1f, 1L, 1 << 30, 0)]
    public void Mean_FoldsOneOverCountIntoMultiplier(float inScale, float outScale, long count, int multiplier, int shift)
    {
        var p = new MeanParams();
        TfliteQuantMath.Mean(inScale, 4, outScale, -6, count, p);
        Assert.Equal((multiplier, shift), (p.OutputMultiplier, p.OutputShift));
        Assert.Equal((-4, -6), (p.InputOffset, p.OutputOffset));
    }

    [Fact]
    public void Mean_ShiftCappedAt31PlusOutputShift()
    {
        // Ratio 2^-31 -> (2^30, -30); n = 8 wants shift 3 but 31 + (-30) = 1 caps it:
        // (2^30 << 1) / 8 = 2^28, shift -31.
        var p = new MeanParams();
        TfliteQuantMath.Mean((float)Math.Pow(2, -31), 0, 1f, 0, 8, p);
        Assert.Equal((1 << 28, -31), (p.OutputMultiplier, p.OutputShift));
    }
}
