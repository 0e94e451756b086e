using System;
using Mote.Packer.Graph;
using Mote.Packer.Tflite;
using Mote.Runtime.Format;

namespace Mote.Packer
{
    // Format 1.3: the audio front end (TFLM's micro_speech audio_preprocessor): the signal library's
    // custom operators (options in FlexBuffers), CAST, DIV, MINIMUM, MAXIMUM and int32 ADD / MUL.
    public sealed partial class TfliteImporter
    {
        const int TflCustom = 32, TflDiv = 42, TflCast = 53, TflMaximum = 55, TflMinimum = 57;

        /// <summary>Custom codes of TFLM's signal library operators Mote runs, and their Mote op codes.</summary>
        static int SignalOpCode(string customCode)
        {
            switch (customCode)
            {
                case "SignalWindow": return OpCode.SignalWindow;
                case "SignalFftAutoScale": return OpCode.SignalFftAutoScale;
                case "SignalRfft": return OpCode.SignalRfft;
                case "SignalEnergy": return OpCode.SignalEnergy;
                case "SignalFilterBank": return OpCode.SignalFilterBank;
                case "SignalFilterBankSquareRoot": return OpCode.SignalFilterBankSquareRoot;
                case "SignalFilterBankSpectralSubtraction": return OpCode.SignalFilterBankSpectralSubtraction;
                case "SignalFilterBankLog": return OpCode.SignalFilterBankLog;
                case "SignalPCAN": return OpCode.SignalPcan;
                default: return -1;
            }
        }

        string CustomCodeOf(TfliteOperator op) => model.OperatorCodes[op.OpcodeIndex].CustomCode;

        bool IsAudioOperator(TfliteOperator op)
        {
            int code = BuiltinOf(op);
            if (code == TflCustom) return SignalOpCode(CustomCodeOf(op)) >= 0;
            return code == TflCast || code == TflDiv || code == TflMaximum || code == TflMinimum;
        }

        int AudioOutputCount(TfliteOperator src)
        {
            if (BuiltinOf(src) != TflCustom) return 1;
            return OpCode.OutputCount(Math.Max(0, SignalOpCode(CustomCodeOf(src))));
        }

        /// <summary>Lowers the operators of this file (and int32 ADD/MUL); false for every other operator.</summary>
        bool LowerAudio(PackOperator op, string where, TfliteOperator src, Func<int, int> input, PackTensor o)
        {
            int code = BuiltinOf(src);
            switch (code)
            {
                case TflCustom:
                    int signal = SignalOpCode(CustomCodeOf(src));
                    if (signal < 0) return false;
                    LowerSignal(op, where, src, signal, input, o);
                    return true;
                case TflCast:
                    op.Code = OpCode.Cast;
                    op.Inputs = new[] { input(0) };
                    var i = graph.Tensors[op.Inputs[0]];
                    if (!CastType(i.DataType) || !CastType(o.DataType))
                        throw new PackException($"{where}: casts {i.Describe} to {o.Describe}; Mote casts between int8, int16, int32 and uint32");
                    if (i.ElementCount != o.ElementCount)
                        throw new PackException($"{where}: input {i.Describe} and output {o.Describe} have different element counts");
                    return true;
                case TflAdd:
                case TflMul:
                case TflDiv:
                case TflMinimum:
                case TflMaximum:
                    if (o.DataType != DataType.Int32)
                    {
                        if (code == TflAdd || code == TflMul) return false; // the int8 (and int16) forms
                        throw new PackException($"{where}: output {o.Describe} must be int32 (Mote's {BuiltinOperators.Name(code)} is int32 only)");
                    }
                    LowerBinaryInt32(op, where, src, code, input(0), input(1), o);
                    return true;
                default:
                    return false;
            }
        }

        static bool CastType(int t) => t == DataType.Int8 || t == DataType.Int16 || t == DataType.Int32 || t == DataType.UInt32;

        void LowerBinaryInt32(PackOperator op, string where, TfliteOperator src, int code, int aIdx, int bIdx, PackTensor o)
        {
            var a = graph.Tensors[aIdx];
            var b = graph.Tensors[bIdx];
            if (a.DataType != DataType.Int32 || b.DataType != DataType.Int32)
                throw new PackException($"{where}: inputs {a.Describe} and {b.Describe} must be int32 like the output");
            if (a.Shape.Length > 4 || b.Shape.Length > 4 || o.Shape.Length > 4)
                throw new PackException($"{where}: supports up to 4 dimensions (inputs {a.ShapeText}, {b.ShapeText}, output {o.ShapeText})");
            RequireBroadcast(where, a, b, o, exactOutput: code == TflMul);
            // TFLM's CalculateActivationRange for int32; its int32 ADD ignores the fused activation (full range).
            int act = 0;
            if (code == TflMul) act = FusedActivation(where, (int)((src.BuiltinOptions as MulOptions)?.FusedActivationFunction ?? 0));
            if (code == TflDiv) act = FusedActivation(where, (int)((src.BuiltinOptions as DivOptions)?.FusedActivationFunction ?? 0));
            int min = act == 1 || act == 3 ? 0 : act == 2 ? -1 : int.MinValue;
            int max = act == 2 ? 1 : act == 3 ? 6 : int.MaxValue;
            op.Inputs = new[] { aIdx, bIdx };
            switch (code)
            {
                case TflAdd:
                    op.Code = OpCode.Add;
                    op.Params = new int[12];
                    op.Params[10] = int.MinValue;
                    op.Params[11] = int.MaxValue;
                    break;
                case TflMul:
                    op.Code = OpCode.Mul;
                    op.Params = new int[7];
                    op.Params[5] = min;
                    op.Params[6] = max;
                    break;
                case TflDiv:
                    op.Code = OpCode.Div;
                    op.Params = new[] { min, max };
                    break;
                case TflMinimum:
                    op.Code = OpCode.Minimum;
                    break;
                default:
                    op.Code = OpCode.Maximum;
                    break;
            }
        }

        void LowerSignal(PackOperator op, string where, TfliteOperator src, int signal, Func<int, int> input, PackTensor o)
        {
            FlexBufferMap options;
            try
            {
                options = FlexBufferMap.Parse(src.CustomOptions);
            }
            catch (FlexBufferException e)
            {
                throw new PackException($"{where}: custom options: {e.Message}", e);
            }
            int Int(string key)
            {
                try { return options.GetInt32(key); }
                catch (FlexBufferException e) { throw new PackException($"{where}: custom option {e.Message}", e); }
            }
            int inputCount = OpCode.InputCount(signal);
            if (signal == OpCode.SignalRfft) inputCount = 1; // the twiddle tables are the packer's
            if (src.Inputs.Length != inputCount)
                throw new PackException($"{where}: has {src.Inputs.Length} inputs, expected {inputCount}");
            var inputs = new int[inputCount];
            for (int k = 0; k < inputCount; k++) inputs[k] = input(k);
            op.Code = signal;
            op.Inputs = inputs;
            switch (signal)
            {
                case OpCode.SignalWindow:
                    op.Params = new[] { Int("shift") };
                    break;
                case OpCode.SignalFftAutoScale:
                case OpCode.SignalFilterBankSquareRoot:
                    break;
                case OpCode.SignalRfft:
                {
                    int type = Int("T");
                    if (type != (int)TensorType.INT16)
                        throw new PackException($"{where}: RFFT of type {(TensorType)type} is not supported (int16 is)");
                    int fft = Int("fft_length");
                    if (fft < 4 || fft > 65536 || (fft & 1) != 0)
                        throw new PackException($"{where}: fft_length {fft} is not an even number in 4..65536");
                    op.Params = new[] { fft };
                    if (Mote.Runtime.Kernels.SignalRfft.Factors(fft / 2) == null)
                        throw new PackException($"{where}: fft_length {fft}: Mote's RFFT needs fft_length / 2 to be a product of 4s and 2s");
                    var tables = RfftTwiddles(fft);
                    int twi = graph.AddTensor(new PackTensor { DataType = DataType.Int16, Shape = new[] { tables.Length / 2 }, Data = tables, Name = o.Name + "/twiddles" }).Index;
                    op.Inputs = new[] { inputs[0], twi };
                    break;
                }
                case OpCode.SignalEnergy:
                    op.Params = new[] { Int("start_index"), Int("end_index") };
                    break;
                case OpCode.SignalFilterBank:
                    op.Params = new[] { Int("num_channels") };
                    for (int k = 3; k < 6; k++)
                        RequireConstant(where, graph.Tensors[inputs[k]], k == 3 ? "channel frequency starts" : k == 4 ? "channel weight starts" : "channel widths");
                    break;
                case OpCode.SignalFilterBankSpectralSubtraction:
                {
                    int channels = Int("num_channels");
                    if (channels != o.ElementCount)
                        throw new PackException($"{where}: num_channels {channels} differs from output {o.Describe}");
                    op.Params = new[]
                    {
                        Int("smoothing"), Int("one_minus_smoothing"), Int("alternate_smoothing"), Int("alternate_one_minus_smoothing"),
                        Int("min_signal_remaining"), Int("smoothing_bits"), Int("spectral_subtraction_bits"), options.GetBool("clamping") ? 1 : 0,
                    };
                    // The noise estimate (output 1) is the operator's state: TFLM keeps it in the kernel and
                    // copies it out; Mote keeps it in that tensor, which must therefore persist.
                    MarkState(where, op.Outputs[1]);
                    break;
                }
                case OpCode.SignalFilterBankLog:
                    op.Params = new[] { Int("input_correction_bits"), Int("output_scale") };
                    break;
                case OpCode.SignalPcan:
                    op.Params = new[] { Int("snr_shift") };
                    break;
            }
        }

        /// <summary>Marks tensor <paramref name="t"/> as operator state (a variable tensor: kept across invokes, zeroed by ResetState).</summary>
        void MarkState(string where, int t)
        {
            var tensor = graph.Tensors[t];
            if (tensor.IsConstant) throw new PackException($"{where}: state {tensor.Describe} is a constant");
            tensor.IsVariable = true;
        }

        /// <summary>
        /// kiss_fft v130's fixed-point (int16) tables for a real FFT of <paramref name="fft"/> points, as one
        /// array of (re, im) int16 pairs: the complex FFT's twiddles e^(-2 pi i k / n), n = fft / 2, for the
        /// k its butterflies read (SignalRfft.TwiddleCount), then the real split's e^(-i pi ((k + 1) / n + 1/2))
        /// for k &lt; n / 2; each component floor(0.5 + 32767 * cos or sin) in double, as kf_cexp computes them.
        /// </summary>
        public static byte[] RfftTwiddles(int fft)
        {
            int n = fft / 2;
            int used = Mote.Runtime.Kernels.SignalRfft.TwiddleCount(Mote.Runtime.Kernels.SignalRfft.Factors(n));
            var b = new byte[4 * (used + n / 2)];
            const double pi = 3.141592653589793238462643383279502884197169399375105820974944;
            for (int k = 0; k < used; k++)
                Put(b, k, -2 * pi * k / n);
            for (int k = 0; k < n / 2; k++)
                Put(b, used + k, -3.14159265358979323846264338327 * ((double)(k + 1) / n + .5));
            return b;

            static void Put(byte[] b, int k, double phase)
            {
                short re = (short)Math.Floor(.5 + 32767 * Math.Cos(phase));
                short im = (short)Math.Floor(.5 + 32767 * Math.Sin(phase));
                b[4 * k] = (byte)re;
                b[4 * k + 1] = (byte)(re >> 8);
                b[4 * k + 2] = (byte)im;
                b[4 * k + 3] = (byte)(im >> 8);
            }
        }
    }
}
