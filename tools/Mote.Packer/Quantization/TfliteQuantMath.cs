using System;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;

namespace Mote.Packer.Quantization;

/// <summary>
/// Host-side "prepare" math of TensorFlow Lite Micro (TFLM): derives the integer
/// parameters the reference int8 kernels use from the float scales and zero
/// points in the model, reproducing TFLM's Prepare functions exactly, including
/// where they compute in float and where in double, and their rounding.
///
/// TFLM is built without TFLITE_SINGLE_ROUNDING and without TFLITE_EMULATE_FLOAT
/// by default, so QuantizeMultiplier uses std::frexp and std::round and does not
/// saturate shifts above 30, and PreprocessSoftmaxScaling caps the multiplier at
/// 2^31 - 1 (not 2^30 - 1).
///
/// TFLM aborts (TFLITE_CHECK) or fails Prepare on some inputs; here those become
/// an <see cref="ArgumentException"/> or <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
public static class TfliteQuantMath
{
    /// <summary>TFLite ActivationFunctionType values (same numbering as TfLiteFusedActivation).</summary>
    public const int ActivationNone = 0, ActivationRelu = 1, ActivationReluN1To1 = 2, ActivationRelu6 = 3;

    /// <summary>TFLM softmax: the exp input is Q5.26 (kScaledDiffIntegerBits).</summary>
    public const int SoftmaxScaledDiffIntegerBits = 5;

    /// <summary>TFLM ADD int8: inputs are shifted left by 20 before rescaling.</summary>
    public const int AddLeftShiftInt8 = 20;

    /// <summary>TFLM ADD and SUB int16: inputs are shifted left by 15 (65535 * 2^15 still fits an int32).</summary>
    public const int AddLeftShiftInt16 = 15;

    /// <summary>
    /// Follows TFLM QuantizeMultiplier (tensorflow/lite/kernels/internal/quantization_util.cc),
    /// default build. real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31) for
    /// positive real (or the negated range for negative real):
    ///  1. real == 0 gives (0, 0).
    ///  2. q, shift = frexp(real), q in [0.5, 1) (or (-1, -0.5]).
    ///  3. qFixed = round(q * 2^31), rounding halves away from zero (std::round).
    ///  4. If qFixed == 2^31 (q rounded up to 1), qFixed = 2^30 and shift += 1.
    ///  5. If shift &lt; -31 the value is flushed to (0, 0) (|real| below about 2^-32).
    /// No clamp of large shifts (that is TFLITE_SINGLE_ROUNDING only).
    /// </summary>
    public static void QuantizeMultiplier(double real, out int multiplier, out int shift)
    {
        if (double.IsNaN(real) || double.IsInfinity(real))
        {
            throw new ArgumentOutOfRangeException(nameof(real), real, "Multiplier must be finite.");
        }
        if (real == 0.0)
        {
            multiplier = 0;
            shift = 0;
            return;
        }
        double q = Frexp(real, out shift);
        long qFixed = (long)Math.Round(q * (1L << 31), MidpointRounding.AwayFromZero);
        if (qFixed > (1L << 31))
        {
            throw new ArgumentOutOfRangeException(nameof(real), real, "TFLM check q_fixed <= 2^31 failed.");
        }
        if (qFixed == (1L << 31))
        {
            qFixed /= 2;
            shift++;
        }
        if (shift < -31)
        {
            shift = 0;
            qFixed = 0;
        }
        multiplier = (int)qFixed;
    }

    /// <summary>
    /// Follows TFLM QuantizeMultiplierSmallerThanOneExp: requires 0 &lt; real &lt; 1, then
    /// QuantizeMultiplier; the shift (a non-positive exponent) must be &lt;= 0.
    /// </summary>
    public static void QuantizeMultiplierSmallerThanOneExp(double real, out int multiplier, out int leftShift)
    {
        if (!(real < 1.0) || !(real > 0.0))
        {
            throw new ArgumentOutOfRangeException(nameof(real), real, "TFLM requires 0 < multiplier < 1.");
        }
        QuantizeMultiplier(real, out multiplier, out leftShift);
        if (leftShift > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(real), real, "TFLM requires shift <= 0.");
        }
    }

    /// <summary>
    /// Follows TFLM QuantizeMultiplierGreaterThanOne: requires real &gt; 1, then
    /// QuantizeMultiplier; the shift must be &gt;= 0.
    /// </summary>
    public static void QuantizeMultiplierGreaterThanOne(double real, out int multiplier, out int leftShift)
    {
        if (!(real > 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(real), real, "TFLM requires multiplier > 1.");
        }
        QuantizeMultiplier(real, out multiplier, out leftShift);
        if (leftShift < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(real), real, "TFLM requires shift >= 0.");
        }
    }

    /// <summary>
    /// Follows TFLM CalculateActivationRangeQuantized for an int8 output
    /// (tensorflow/lite/kernels/kernel_util.cc). Bounds are quantized in float:
    /// q = zeroPoint + (int)roundf(f / scale), with f / scale a float division and
    /// roundf rounding halves away from zero.
    /// RELU: [max(-128, q(0)), 127]; RELU6: [max(-128, q(0)), min(127, q(6))];
    /// RELU_N1_TO_1: [max(-128, q(-1)), min(127, q(1))]; anything else (NONE and
    /// the non-clamping types such as TANH or SIGN_BIT): [-128, 127].
    /// </summary>
    public static void ActivationRange(int fusedActivation, float outputScale, int outputZeroPoint, out int min, out int max) =>
        ActivationRange(fusedActivation, outputScale, outputZeroPoint, sbyte.MinValue, sbyte.MaxValue, out min, out max);

    /// <summary>
    /// As <see cref="ActivationRange(int, float, int, out int, out int)"/> for an int8 or int16
    /// output (<paramref name="dataType"/>): the bounds are clamped to [-128, 127] or
    /// [-32768, 32767] (CalculateActivationRangeQuantized uses the output type's limits).
    /// </summary>
    public static void ActivationRange(int fusedActivation, float outputScale, int outputZeroPoint, int dataType, out int min, out int max) =>
        ActivationRange(fusedActivation, outputScale, outputZeroPoint,
            dataType == DataType.Int16 ? short.MinValue : sbyte.MinValue, dataType == DataType.Int16 ? short.MaxValue : sbyte.MaxValue, out min, out max);

    /// <summary>
    /// <see cref="ActivationRange(int, float, int, out int, out int)"/> for an output type whose
    /// limits are [<paramref name="qmin"/>, <paramref name="qmax"/>] (int16: [-32768, 32767]), as
    /// TFLM's CalculateActivationRangeQuantized does for int16 outputs.
    /// </summary>
    public static void ActivationRange(int fusedActivation, float outputScale, int outputZeroPoint, int qmin, int qmax, out int min, out int max)
    {
        switch (fusedActivation)
        {
            case ActivationRelu:
                min = Math.Max(qmin, QuantizeActivationBound(outputScale, outputZeroPoint, 0.0f));
                max = qmax;
                break;
            case ActivationRelu6:
                min = Math.Max(qmin, QuantizeActivationBound(outputScale, outputZeroPoint, 0.0f));
                max = Math.Min(qmax, QuantizeActivationBound(outputScale, outputZeroPoint, 6.0f));
                break;
            case ActivationReluN1To1:
                min = Math.Max(qmin, QuantizeActivationBound(outputScale, outputZeroPoint, -1.0f));
                max = Math.Min(qmax, QuantizeActivationBound(outputScale, outputZeroPoint, 1.0f));
                break;
            default:
                min = qmin;
                max = qmax;
                break;
        }
    }

    // TFLM kernel_util.cc Quantize(): all float arithmetic.
    private static int QuantizeActivationBound(float scale, int zeroPoint, float f)
    {
        float quotient = (float)(f / scale);
        float tmp = MathF.Round(quotient, MidpointRounding.AwayFromZero);
        if (!(tmp >= (float)int.MinValue && tmp <= (float)int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "Activation bound overflows int32 (TFLM Prepare fails).");
        }
        return zeroPoint + (int)tmp;
    }

    /// <summary>
    /// Follows the per-channel loop of TFLM PopulateConvolutionQuantizationParams
    /// (tensorflow/lite/kernels/kernel_util.cc), used by CONV_2D and
    /// DEPTHWISE_CONV_2D Prepare for int8, per-channel and per-tensor weights alike:
    /// for each channel, filter scale = filterScales[c] (or filterScales[0] broadcast
    /// to every channel when there is a single scale), and
    /// effective = (double)inputScale * (double)filterScale / (double)outputScale
    /// (double product, then double division), then QuantizeMultiplier.
    /// </summary>
    public static void ConvPerChannel(float inputScale, float[] filterScales, float outputScale, int channels,
        int[] multipliers, int[] shifts)
    {
        ArgumentNullException.ThrowIfNull(filterScales);
        ArgumentNullException.ThrowIfNull(multipliers);
        ArgumentNullException.ThrowIfNull(shifts);
        bool perChannel = filterScales.Length > 1;
        if (filterScales.Length == 0 || (perChannel && filterScales.Length != channels))
        {
            throw new ArgumentException($"Expected 1 or {channels} filter scales, got {filterScales.Length}.", nameof(filterScales));
        }
        CheckTables(channels, multipliers, shifts);
        for (int c = 0; c < channels; c++)
        {
            float scale = perChannel ? filterScales[c] : filterScales[0];
            double effective = (double)inputScale * (double)scale / (double)outputScale;
            QuantizeMultiplier(effective, out multipliers[c], out shifts[c]);
        }
    }

    /// <summary>
    /// Follows TFLM CalculateOpDataFullyConnected (micro/kernels/fully_connected_common.cc).
    /// Per-channel weights (more than one scale): as conv, per output row
    /// effective = (double)inputScale * (double)filterScales[o] / (double)outputScale.
    /// Per-tensor weights (one scale): GetQuantizedConvolutionMultipler, which
    /// multiplies the two scales in FLOAT first:
    /// effective = (double)(inputScale * filterScale) / (double)outputScale;
    /// the single multiplier and shift are then repeated in all outputDepth entries.
    /// (TFLM also fails Prepare when a bias scale differs from the input product
    /// scale by more than 2% of the output scale; that check needs the bias scale
    /// and is not done here.)
    /// </summary>
    public static void FullyConnected(float inputScale, float[] filterScales, float outputScale, int outputDepth,
        int[] multipliers, int[] shifts)
    {
        ArgumentNullException.ThrowIfNull(filterScales);
        ArgumentNullException.ThrowIfNull(multipliers);
        ArgumentNullException.ThrowIfNull(shifts);
        CheckTables(outputDepth, multipliers, shifts);
        if (filterScales.Length > 1)
        {
            if (filterScales.Length != outputDepth)
            {
                throw new ArgumentException($"Expected 1 or {outputDepth} filter scales, got {filterScales.Length}.", nameof(filterScales));
            }
            for (int o = 0; o < outputDepth; o++)
            {
                double effective = (double)inputScale * (double)filterScales[o] / (double)outputScale;
                QuantizeMultiplier(effective, out multipliers[o], out shifts[o]);
            }
            return;
        }
        if (filterScales.Length == 0)
        {
            throw new ArgumentException("Expected at least one filter scale.", nameof(filterScales));
        }
        float productScale = (float)(inputScale * filterScales[0]);
        double inputProductScale = (double)productScale;
        if (!(inputProductScale >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(filterScales), "TFLM requires input_product_scale >= 0.");
        }
        double real = inputProductScale / (double)outputScale;
        QuantizeMultiplier(real, out int multiplier, out int shift);
        for (int o = 0; o < outputDepth; o++)
        {
            multipliers[o] = multiplier;
            shifts[o] = shift;
        }
    }

    /// <summary>
    /// Follows TFLM CalculateOpDataAdd (micro/kernels/add_common.cc) for int8 output.
    /// Fills everything but the shapes (FlatSize, Broadcast, *Shape):
    ///  offsets: Input1Offset = -in1Zp, Input2Offset = -in2Zp, OutputOffset = outZp;
    ///  LeftShift = 20;
    ///  twiceMax = 2 * (double)max(in1Scale, in2Scale) (max taken in float);
    ///  input multipliers = (double)inNScale / twiceMax,
    ///  output multiplier = twiceMax / ((1 &lt;&lt; 20) * (double)outScale),
    ///  each through QuantizeMultiplierSmallerThanOneExp (shift &lt;= 0, TFLM's
    ///  exponent convention: the kernels shift right by -shift);
    ///  activation range from CalculateActivationRangeQuantized.
    /// </summary>
    public static void Add(float in1Scale, int in1Zp, float in2Scale, int in2Zp, float outScale, int outZp,
        int fusedActivation, AddParams p)
    {
        Add(in1Scale, in1Zp, in2Scale, in2Zp, outScale, outZp, fusedActivation, DataType.Int8, p);
    }

    /// <summary>
    /// As <see cref="Add(float, int, float, int, float, int, int, AddParams)"/> for an int8 or
    /// int16 output (<paramref name="dataType"/>): TFLM's CalculateOpDataAdd uses LeftShift 15
    /// for int16 (20 for int8) and clamps the activation range to the output type's range.
    /// </summary>
    public static void Add(float in1Scale, int in1Zp, float in2Scale, int in2Zp, float outScale, int outZp,
        int fusedActivation, int dataType, AddParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        int leftShift = dataType == DataType.Int16 ? AddLeftShiftInt16 : AddLeftShiftInt8;
        p.ElementType = dataType;
        p.Input1Offset = -in1Zp;
        p.Input2Offset = -in2Zp;
        p.OutputOffset = outZp;
        p.LeftShift = leftShift;
        double twiceMaxInputScale = 2 * (double)Math.Max(in1Scale, in2Scale);
        double realInput1Multiplier = (double)in1Scale / twiceMaxInputScale;
        double realInput2Multiplier = (double)in2Scale / twiceMaxInputScale;
        double realOutputMultiplier = twiceMaxInputScale / ((1 << leftShift) * (double)outScale);
        QuantizeMultiplierSmallerThanOneExp(realInput1Multiplier, out p.Input1Multiplier, out p.Input1Shift);
        QuantizeMultiplierSmallerThanOneExp(realInput2Multiplier, out p.Input2Multiplier, out p.Input2Shift);
        QuantizeMultiplierSmallerThanOneExp(realOutputMultiplier, out p.OutputMultiplier, out p.OutputShift);
        ActivationRange(fusedActivation, outScale, outZp, dataType, out p.ActivationMin, out p.ActivationMax);
    }

    /// <summary>
    /// Follows TFLM CalculateOpDataSub (micro/kernels/sub_common.cc) for an int8 or int16 output.
    /// ADD's formulas, but TFLM does them in FLOAT before widening to double (unlike ADD):
    ///  twiceMax = 2 * max(in1Scale, in2Scale) (float);
    ///  input multipliers = (double)(inNScale / twiceMax) (float quotient);
    ///  output multiplier = (double)(twiceMax / ((1 &lt;&lt; LeftShift) * outScale)) (float product
    ///  and quotient), LeftShift 20 for int8, 15 for int16;
    ///  each through QuantizeMultiplierSmallerThanOneExp; activation range for the output type.
    /// </summary>
    public static void Sub(float in1Scale, int in1Zp, float in2Scale, int in2Zp, float outScale, int outZp,
        int fusedActivation, int dataType, AddParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        int leftShift = dataType == DataType.Int16 ? AddLeftShiftInt16 : AddLeftShiftInt8;
        p.ElementType = dataType;
        p.Input1Offset = -in1Zp;
        p.Input2Offset = -in2Zp;
        p.OutputOffset = outZp;
        p.LeftShift = leftShift;
        float twiceMaxInputScale = (float)(2 * Math.Max(in1Scale, in2Scale));
        double realInput1Multiplier = (double)(float)(in1Scale / twiceMaxInputScale);
        double realInput2Multiplier = (double)(float)(in2Scale / twiceMaxInputScale);
        double realOutputMultiplier = (double)(float)(twiceMaxInputScale / (float)((1 << leftShift) * outScale));
        QuantizeMultiplierSmallerThanOneExp(realInput1Multiplier, out p.Input1Multiplier, out p.Input1Shift);
        QuantizeMultiplierSmallerThanOneExp(realInput2Multiplier, out p.Input2Multiplier, out p.Input2Shift);
        QuantizeMultiplierSmallerThanOneExp(realOutputMultiplier, out p.OutputMultiplier, out p.OutputShift);
        ActivationRange(fusedActivation, outScale, outZp, dataType, out p.ActivationMin, out p.ActivationMax);
    }

    /// <summary>
    /// Follows TFLM CalculateSoftmaxParams (micro/kernels/softmax_common.cc) for
    /// int8 -> int8, i.e. PreprocessSoftmaxScaling and CalculateInputRadius
    /// (quantization_util.cc) with kScaledDiffIntegerBits = 5:
    ///  real = min((double)beta * (double)inputScale * 2^26, 2^31 - 1.0) (double);
    ///  (InputMultiplier, InputLeftShift) = QuantizeMultiplierGreaterThanOne(real)
    ///  (TFLM aborts when real &lt;= 1, i.e. beta * scale &lt;= 2^-26);
    ///  radius = (int)floor(1.0 * (2^5 - 1) * 2^26 / 2^InputLeftShift) (double);
    ///  DiffMin = -radius.
    /// Rows and Depth (the shapes) are left to the caller.
    /// </summary>
    public static void Softmax(float beta, float inputScale, SoftmaxParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        const double maxRealMultiplier = (1L << 31) - 1.0;
        double inputBetaRealMultiplier = Math.Min(
            (double)beta * (double)inputScale * (1 << (31 - SoftmaxScaledDiffIntegerBits)),
            maxRealMultiplier);
        QuantizeMultiplierGreaterThanOne(inputBetaRealMultiplier, out p.InputMultiplier, out p.InputLeftShift);
        p.DiffMin = -CalculateInputRadius(SoftmaxScaledDiffIntegerBits, p.InputLeftShift, 31);
    }

    /// <summary>Follows TFLM CalculateInputRadius (double arithmetic, then floor).</summary>
    public static int CalculateInputRadius(int inputIntegerBits, int inputLeftShift, int totalSignedBits)
    {
        double maxInputRescaled = 1.0 * ((1 << inputIntegerBits) - 1)
            * (double)(1L << (totalSignedBits - inputIntegerBits))
            / (double)(1L << inputLeftShift);
        return (int)Math.Floor(maxInputRescaled);
    }

    /// <summary>
    /// Follows TFLM CalculateOpDataMul (micro/kernels/mul_common.cc) for int8:
    ///  offsets: Input1Offset = -in1Zp, Input2Offset = -in2Zp, OutputOffset = outZp;
    ///  real = (double)in1Scale * (double)in2Scale / (double)outScale (double product and
    ///  division), then QuantizeMultiplier (the shift may be positive);
    ///  activation range from CalculateActivationRangeQuantized.
    /// Shapes (FlatSize, Broadcast, *Shape) are left to the caller. A shift above 30 (a real
    /// multiplier of 2^30 or more) is refused: MultiplyByQuantizedMultiplier would overflow.
    /// </summary>
    public static void Mul(float in1Scale, int in1Zp, float in2Scale, int in2Zp, float outScale, int outZp,
        int fusedActivation, MulParams p)
    {
        Mul(in1Scale, in1Zp, in2Scale, in2Zp, outScale, outZp, fusedActivation, DataType.Int8, p);
    }

    /// <summary>
    /// As <see cref="Mul(float, int, float, int, float, int, int, MulParams)"/> for an int8 or int16
    /// output (<paramref name="dataType"/>): the same multiplier; the activation range is clamped to
    /// the output type's range. (TFLM's int16 MUL also requires zero points 0; the importer checks.)
    /// </summary>
    public static void Mul(float in1Scale, int in1Zp, float in2Scale, int in2Zp, float outScale, int outZp,
        int fusedActivation, int dataType, MulParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        p.ElementType = dataType;
        p.Input1Offset = -in1Zp;
        p.Input2Offset = -in2Zp;
        p.OutputOffset = outZp;
        double real = (double)in1Scale * (double)in2Scale / (double)outScale;
        QuantizeMultiplier(real, out p.OutputMultiplier, out p.OutputShift);
        RequireShiftAtMost30(p.OutputShift, real);
        ActivationRange(fusedActivation, outScale, outZp, dataType, out p.ActivationMin, out p.ActivationMax);
    }

    /// <summary>TFLM int8 LOGISTIC and TANH rescale the input to Q4.27 (kInputIntegerBits).</summary>
    public const int LogisticTanhInputIntegerBits = 4;

    /// <summary>
    /// Follows the int8 branch of TFLM CalculateArithmeticOpDataLogistic
    /// (micro/kernels/logistic_common.cc), which is the same math as the int8 branch of
    /// CalculateArithmeticOpData in micro/kernels/tanh.cc:
    ///  real = (double)inputScale * 2^(31 - 4) (double);
    ///  q, InputLeftShift = frexp(real);
    ///  InputMultiplier = (int32)round(q * 2^31), halves away from zero (TfLiteRound) — a
    ///  plain frexp/round, not QuantizeMultiplier (no q == 1 correction, no flush);
    ///  InputRangeRadius = CalculateInputRadius(4, InputLeftShift, 31);
    ///  InputOffset = -inputZp.
    /// TFLM's CalculateInputRadius shifts by InputLeftShift (undefined for a negative shift)
    /// and the kernel's MultiplyByQuantizedMultiplier left-shifts by it, so only
    /// InputLeftShift in [0, 30] is accepted: input scales in [2^-28, 8).
    /// The output quantization is not an input: TFLM computes LOGISTIC at scale 1/256, zero
    /// point -128 and TANH at 1/128, 0 whatever the output tensor says (see docs/numerics.md).
    /// </summary>
    public static void LogisticTanh(float inputScale, int inputZp, FixedPointActivationParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        double real = (double)inputScale * (double)(1 << (31 - LogisticTanhInputIntegerBits));
        if (!(real > 0) || double.IsInfinity(real))
        {
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, "Input scale must be finite and positive.");
        }
        double q = Frexp(real, out int shift);
        if (shift < 0 || shift > 30)
        {
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale,
                $"TFLM's int8 LOGISTIC/TANH input left shift would be {shift}; only input scales in [2^-28, 8) give a shift in 0..30.");
        }
        long qFixed = (long)Math.Round(q * (1L << 31), MidpointRounding.AwayFromZero);
        if (qFixed >= (1L << 31))
        {
            // Cannot happen for a float scale (24-bit mantissa); TFLM's int32 cast would wrap.
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, "Input multiplier rounds to 2^31.");
        }
        p.InputOffset = -inputZp;
        p.InputMultiplier = (int)qFixed;
        p.InputLeftShift = shift;
        p.InputRangeRadius = CalculateInputRadius(LogisticTanhInputIntegerBits, shift, 31);
    }

    /// <summary>
    /// Follows TFLM CalculateReluOpData&lt;int8_t&gt; (micro/kernels/activations_common.cc):
    ///  real = (double)(inputScale / outputScale) — the quotient in FLOAT, then widened;
    ///  QuantizeMultiplier(real);
    ///  ActivationMin = max(-128, outZp + (int)roundf(0.0f / outputScale)) = max(-128, outZp);
    ///  ActivationMax = 127 (act_max is infinity);
    ///  InputOffset = -inZp (TFLM stores +inZp and subtracts), OutputOffset = outZp.
    /// </summary>
    public static void Relu(float inputScale, int inputZp, float outputScale, int outputZp, ReluParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        double real = (double)(float)(inputScale / outputScale);
        QuantizeMultiplier(real, out p.OutputMultiplier, out p.OutputShift);
        RequireShiftAtMost30(p.OutputShift, real);
        p.ActivationMin = Math.Max(sbyte.MinValue, QuantizeActivationBound(outputScale, outputZp, 0.0f));
        p.ActivationMax = sbyte.MaxValue;
        p.InputOffset = -inputZp;
        p.OutputOffset = outputZp;
    }

    /// <summary>
    /// Follows TFLM Relu6Prepare (micro/kernels/activations_common.cc) for int8, which uses the
    /// INPUT quantization only (the output tensor's is ignored; the kernel clamps raw bytes):
    ///  Lower = inputZp;
    ///  Upper = FloatToQuantizedType&lt;int8_t&gt;(6.0f, inputScale, inputZp)
    ///        = clamp(round(6.0f / inputScale) + inputZp, -128, 127), the quotient in float and
    ///  round halving away from zero.
    /// 6 / inputScale beyond the int32 range (scales below about 2.8e-9) is refused: TFLM's
    /// float-to-int32 conversion is undefined there.
    /// </summary>
    public static void Relu6(float inputScale, int inputZp, Relu6Params p)
    {
        ArgumentNullException.ThrowIfNull(p);
        float quotient = (float)(6.0f / inputScale);
        double rounded = Math.Round((double)quotient, MidpointRounding.AwayFromZero);
        if (!(rounded >= int.MinValue && rounded <= int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, "6 / input scale overflows int32 (TFLM's RELU6 Prepare is undefined).");
        }
        long six = (long)rounded + inputZp;
        p.Lower = inputZp;
        p.Upper = (int)Math.Clamp(six, sbyte.MinValue, sbyte.MaxValue);
    }

    /// <summary>
    /// Follows TFLM CalculateOpDataLeakyRelu (micro/kernels/leaky_relu_common.cc) for int8,
    /// all in FLOAT before widening to double:
    ///  alpha real = (double)(inputScale * alpha / outputScale) (float product, float quotient);
    ///  identity real = (double)(inputScale / outputScale);
    ///  each through QuantizeMultiplier (a negative alpha gives a negative multiplier, which
    ///  reference_ops::QuantizeLeakyRelu applies as a negated positive one).
    ///  InputOffset = -inputZp, OutputOffset = outputZp.
    /// </summary>
    public static void LeakyRelu(float inputScale, int inputZp, float alpha, float outputScale, int outputZp, LeakyReluParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (float.IsNaN(alpha) || float.IsInfinity(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be finite.");
        }
        double alphaReal = (double)(float)((float)(inputScale * alpha) / outputScale);
        double identityReal = (double)(float)(inputScale / outputScale);
        QuantizeMultiplier(alphaReal, out p.AlphaMultiplier, out p.AlphaShift);
        QuantizeMultiplier(identityReal, out p.IdentityMultiplier, out p.IdentityShift);
        RequireShiftAtMost30(p.AlphaShift, alphaReal);
        RequireShiftAtMost30(p.IdentityShift, identityReal);
        if (p.AlphaMultiplier == int.MinValue)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha multiplier is -2^31 (TFLM would overflow negating it).");
        }
        p.InputOffset = -inputZp;
        p.OutputOffset = outputZp;
    }

    /// <summary>
    /// Follows TFLM PrepareQuantizeReference (micro/kernels/quantize_common.cc) for int8 -> int8:
    ///  effective = (double)inputScale / (double)outputScale (double division);
    ///  QuantizeMultiplier(effective) (equal scales give exactly (2^30, 1));
    ///  InputOffset = -inputZp, OutputOffset = outputZp.
    /// </summary>
    public static void Requantize(float inputScale, int inputZp, float outputScale, int outputZp, RequantizeParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        double effective = (double)inputScale / (double)outputScale;
        QuantizeMultiplier(effective, out p.OutputMultiplier, out p.OutputShift);
        RequireShiftAtMost30(p.OutputShift, effective);
        p.InputOffset = -inputZp;
        p.OutputOffset = outputZp;
    }

    /// <summary>
    /// Follows TFLM HardSwishPrepare (micro/kernels/hard_swish_common.cc) for int8, in float:
    ///  hires = (1.0f / 128.0f) * inputScale; reluish scale = 3.0f / 32768.0f;
    ///  output: QuantizeMultiplier((double)(hires / outputScale)), then
    ///  DownScaleInt32ToInt16Multiplier (TFLM requires the exponent &lt;= 0, i.e. an output scale
    ///  of at least about inputScale / 128);
    ///  reluish: QuantizeMultiplier((double)(hires / reluishScale)), then DownScaleInt32ToInt16Multiplier;
    ///  InputOffset = -inputZp, OutputOffset = outputZp.
    /// </summary>
    public static void HardSwish(float inputScale, int inputZp, float outputScale, int outputZp, HardSwishParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        float hiresInputScale = (1.0f / 128.0f) * inputScale;
        const float reluishScale = 3.0f / 32768.0f;
        double outputReal = (double)(float)(hiresInputScale / outputScale);
        QuantizeMultiplier(outputReal, out int outputMultiplier32, out p.OutputExponent);
        p.OutputMultiplier = DownScaleInt32ToInt16Multiplier(outputMultiplier32);
        if (p.OutputExponent > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(outputScale), outputScale,
                $"TFLM's HARD_SWISH Prepare requires output_multiplier_exponent <= 0 (input scale / 128 / output scale = {outputReal}).");
        }
        double reluishReal = (double)(float)(hiresInputScale / reluishScale);
        QuantizeMultiplier(reluishReal, out int reluishMultiplier32, out p.ReluishExponent);
        p.ReluishMultiplier = DownScaleInt32ToInt16Multiplier(reluishMultiplier32);
        if (p.ReluishExponent > 31)
        {
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, "HARD_SWISH reluish exponent above 31 (TFLM's left shift would overflow).");
        }
        p.InputOffset = -inputZp;
        p.OutputOffset = outputZp;
    }

    /// <summary>
    /// Follows TFLM DownScaleInt32ToInt16Multiplier (kernels/internal/common.h): 32767 when the
    /// multiplier is within 2^15 of int32's maximum, else (multiplier + 2^15) &gt;&gt; 16.
    /// </summary>
    public static int DownScaleInt32ToInt16Multiplier(int multiplier)
    {
        if (multiplier < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(multiplier), multiplier, "TFLM requires a non-negative multiplier.");
        }
        const int roundingOffset = 1 << 15;
        if (multiplier >= int.MaxValue - roundingOffset)
        {
            return short.MaxValue;
        }
        return (multiplier + roundingOffset) >> 16;
    }

    /// <summary>
    /// Follows TFLM's int8 MEAN: PrepareMeanOrSumHelper (micro/kernels/reduce_common.cc) computes
    /// QuantizeMultiplier((double)inputScale / (double)outputScale); reference_ops::QuantizedMeanOrSum
    /// (reference/reduce.h) then folds 1 / reducedCount into it at every Eval, which Mote does here once:
    ///  shift = floor(log2(reducedCount)) (63 - CountLeadingZeros64), capped at 32 and at 31 + output_shift;
    ///  OutputMultiplier = (int32)(((int64)multiplier &lt;&lt; shift) / reducedCount) (truncating division);
    ///  OutputShift = output_shift - shift.
    ///  InputOffset = -inputZp, OutputOffset = outputZp.
    /// </summary>
    public static void Mean(float inputScale, int inputZp, float outputScale, int outputZp, long reducedCount, MeanParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (reducedCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(reducedCount), reducedCount, "At least one element must be reduced.");
        }
        double real = (double)inputScale / (double)outputScale;
        QuantizeMultiplier(real, out int multiplier, out int outputShift);
        RequireShiftAtMost30(outputShift, real);
        int shift = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)reducedCount);
        shift = Math.Min(shift, 32);
        shift = Math.Min(shift, 31 + outputShift);
        p.OutputMultiplier = (int)(((long)multiplier << shift) / reducedCount);
        p.OutputShift = outputShift - shift;
        p.InputOffset = -inputZp;
        p.OutputOffset = outputZp;
    }

    // MultiplyByQuantizedMultiplier left-shifts by a positive shift before the multiply; TFLM
    // does not guard it, a shift above 30 overflows (real multipliers of 2^30 and more).
    private static void RequireShiftAtMost30(int shift, double real)
    {
        if (shift > 30)
        {
            throw new ArgumentOutOfRangeException(nameof(real), real, $"Multiplier {real} needs a left shift of {shift} (at most 30 is supported).");
        }
    }

    /// <summary>
    /// C's frexp: returns m with |m| in [0.5, 1) and exponent e such that
    /// value = m * 2^e (exact; subnormals handled). value must be finite and non-zero.
    /// </summary>
    internal static double Frexp(double value, out int exponent)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)((bits >> 52) & 0x7FF);
        int extra = 0;
        if (biased == 0)
        {
            // Subnormal: scale into the normal range first (exact).
            value *= 18014398509481984.0; // 2^54
            bits = BitConverter.DoubleToInt64Bits(value);
            biased = (int)((bits >> 52) & 0x7FF);
            extra = -54;
        }
        exponent = biased - 1022 + extra;
        long mantissaBits = (bits & ~(0x7FFL << 52)) | (1022L << 52);
        return BitConverter.Int64BitsToDouble(mantissaBits);
    }

    private static void CheckTables(int count, int[] multipliers, int[] shifts)
    {
        if (count < 0 || multipliers.Length < count || shifts.Length < count)
        {
            throw new ArgumentException($"Multiplier and shift tables need {count} entries.");
        }
    }
}
