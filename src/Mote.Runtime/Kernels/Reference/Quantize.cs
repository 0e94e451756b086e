using Mote.Runtime.Format;

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// QUANTIZE. Integer inputs follow TFLM reference_ops::Requantize (reference/requantize.h) as
    /// EvalQuantizeReference (micro/kernels/quantize_common.cc) calls it for every integer type pair
    /// it accepts: int8 -> int8/int16/int32, int16 -> int8/int16/int32, int32 -> int8/int16.
    /// float32 inputs follow reference_ops::AffineQuantize (reference/quantize.h) -> int8/int16.
    /// </summary>
    public static class Quantize
    {
        /// <summary>
        /// For each of Size elements (integer input):
        /// out = clamp(MultiplyByQuantizedMultiplier(x + InputOffset, OutputMultiplier, OutputShift) + OutputOffset)
        /// to the output type's range; the additions wrap in int32 as TFLM's do on every target it runs on.
        /// Equal scales give the multiplier (2^30, shift 1), which is exact, so the op is then a
        /// zero-point shift. A float32 input is quantized as <see cref="QuantizeFloat"/> describes.
        /// </summary>
        public static void Eval(RequantizeParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            if (p.InputType == DataType.Float32)
            {
                QuantizeFloat(p, input, inputStart, output, outputStart);
                return;
            }
            int min, max;
            Range(p.OutputType, out min, out max);
            int n = p.Size;
            if (p.InputType == DataType.Int8 && p.OutputType == DataType.Int8)
            {
                // The common case, kept free of per-element type switches.
                for (int i = 0; i < n; i++)
                {
                    int v = (sbyte)input[inputStart + i] + p.InputOffset;
                    int result = unchecked(FixedPoint.MultiplyByQuantizedMultiplier(v, p.OutputMultiplier, p.OutputShift) + p.OutputOffset);
                    if (result < -128) result = -128;
                    if (result > 127) result = 127;
                    output[outputStart + i] = (byte)(sbyte)result;
                }
                return;
            }
            int inSize = DataType.Size(p.InputType), outSize = DataType.Size(p.OutputType);
            for (int i = 0; i < n; i++)
            {
                int x = Read(p.InputType, input, inputStart + i * inSize);
                int v = unchecked(x + p.InputOffset);
                int result = unchecked(FixedPoint.MultiplyByQuantizedMultiplier(v, p.OutputMultiplier, p.OutputShift) + p.OutputOffset);
                if (result < min) result = min;
                if (result > max) result = max;
                Write(p.OutputType, output, outputStart + i * outSize, result);
            }
        }

        /// <summary>
        /// float32 -> int8/int16 (TFLM AffineQuantize): q = (int)round(x / scale) + zero point, clamped,
        /// where x / scale is a float32 division and round takes halves away from zero (TfLiteRound,
        /// std::round). A quotient outside the int32 range (and NaN) converts to int32.MinValue, as
        /// TFLM's static_cast does on x86-64 where the reference vectors come from (docs/numerics.md);
        /// the zero point is then added with int32 wrap-around.
        /// </summary>
        static void QuantizeFloat(RequantizeParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            int min, max;
            Range(p.OutputType, out min, out max);
            int outSize = DataType.Size(p.OutputType);
            float scale = p.Scale;
            for (int i = 0; i < p.Size; i++)
            {
                float x = System.BitConverter.ToSingle(input, inputStart + 4 * i);
                float q = (float)(x / scale);
                int r = RoundToInt32(q);
                int result = unchecked(r + p.OutputOffset);
                if (result < min) result = min;
                if (result > max) result = max;
                Write(p.OutputType, output, outputStart + i * outSize, result);
            }
        }

        /// <summary>
        /// (int)std::round(q) as TFLM's AffineQuantize computes it on x86-64 (cvttss2si): halves
        /// away from zero; NaN and values outside [-2^31, 2^31) give int32.MinValue (the "integer
        /// indefinite" value).
        /// </summary>
        public static int RoundToInt32(float q)
        {
            if (!(q >= -2147483648f && q < 2147483648f)) return int.MinValue;
            // Beyond 2^23 every float is an integer; below, the fraction x - trunc(x) is exact.
            if (q >= 8388608f || q <= -8388608f) return (int)q;
            int t = (int)q; // truncates toward zero
            float frac = q - t;
            if (frac >= 0.5f) t++;
            else if (frac <= -0.5f) t--;
            return t;
        }

        static void Range(int dtype, out int min, out int max)
        {
            switch (dtype)
            {
                case DataType.Int8: min = -128; max = 127; break;
                case DataType.Int16: min = -32768; max = 32767; break;
                default: min = int.MinValue; max = int.MaxValue; break;
            }
        }

        static int Read(int dtype, byte[] b, int at)
        {
            switch (dtype)
            {
                case DataType.Int8: return (sbyte)b[at];
                case DataType.Int16: return (short)(b[at] | (b[at + 1] << 8));
                default: return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
            }
        }

        static void Write(int dtype, byte[] b, int at, int v)
        {
            switch (dtype)
            {
                case DataType.Int8:
                    b[at] = (byte)v;
                    break;
                case DataType.Int16:
                    b[at] = (byte)v;
                    b[at + 1] = (byte)(v >> 8);
                    break;
                default:
                    b[at] = (byte)v;
                    b[at + 1] = (byte)(v >> 8);
                    b[at + 2] = (byte)(v >> 16);
                    b[at + 3] = (byte)(v >> 24);
                    break;
            }
        }
    }
}
