// Shared by the three IMU anomaly samples (ESP32/nanoFramework, Meadow, Raspberry Pi): written in
// the portable subset (C# 7.3, arrays, no generics) so the same file compiles everywhere and passes
// tools/nanocheck. The board-specific part (I2C, GPIO, loading the blob) stays in each Program.cs.
using System;
using Mote.Runtime;

namespace Mote.Samples
{
    /// <summary>
    /// Vibration/motion anomaly detection with an int8 autoencoder: collects windows of accelerometer
    /// samples (x, y, z interleaved, in g), runs the model, and scores the window by the mean squared
    /// reconstruction error in g². A window the model reconstructs badly is unlike the training data.
    ///
    /// Model contract (checked in the constructor): one int8 input and one int8 output of the same
    /// number of elements, a multiple of 3 (window = elements / 3 samples). Train the autoencoder on
    /// windows of normal motion, export ONNX or int8 TFLite and pack it with <c>mote pack</c>.
    /// Per sample the work is integer-only (quantization by a precomputed 16.16 multiplier); the score
    /// uses floats once per window.
    /// </summary>
    public sealed class ImuAnomalyDetector
    {
        public const int Axes = 3;
        const int Int8 = 1; // TensorInfo.DataType of int8 tensors (docs/blob-format.md)

        readonly Interpreter interpreter;
        readonly TensorView input, output;
        // The window being filled, int8 as bytes. Kept outside the arena: the planner may reuse the
        // input tensor's bytes for later layers, so the input is not readable after Invoke.
        readonly byte[] window;
        readonly int elements, inZero, outZero, countsToQ16;
        readonly float inScale, outScale;
        int filled;

        /// <summary>Score above which <see cref="IsAnomaly"/> is true (g², from the training set's scores).</summary>
        public float Threshold;

        /// <summary>Score of the last complete window (g²), or -1 before the first.</summary>
        public float LastScore { get; private set; }

        public bool IsAnomaly { get { return LastScore > Threshold; } }

        /// <summary>Samples (x, y, z triples) per window.</summary>
        public int WindowSamples { get { return elements / Axes; } }

        public Interpreter Interpreter { get { return interpreter; } }

        /// <param name="model">the loaded autoencoder (see the class summary)</param>
        /// <param name="arena">caller-owned arena of at least model.ArenaBytes, or null to allocate one</param>
        /// <param name="countsPerG">the sensor's raw counts per g (MPU6050 at ±2 g: 16384)</param>
        /// <param name="threshold">anomaly threshold in g²</param>
        public ImuAnomalyDetector(Model model, byte[] arena, int countsPerG, float threshold)
        {
            if (model == null) throw new ArgumentNullException("model");
            if (model.InputCount != 1 || model.OutputCount != 1)
                throw new ArgumentException("the model must have one input and one output (it has " + model.InputCount + " and " + model.OutputCount + ")");
            TensorInfo i = model.GetInput(0), o = model.GetOutput(0);
            if (i.DataType != Int8 || o.DataType != Int8)
                throw new ArgumentException("the model's input and output must be int8");
            if (i.ElementCount != o.ElementCount || i.ElementCount % Axes != 0 || i.ElementCount == 0)
                throw new ArgumentException("input (" + i.ElementCount + ") and output (" + o.ElementCount
                    + ") must have the same number of elements, a multiple of 3 (x, y, z per sample)");
            if (i.Scale <= 0 || o.Scale <= 0 || countsPerG <= 0)
                throw new ArgumentException("the input and output must be quantized (scale > 0) and countsPerG positive");

            interpreter = new Interpreter(model, arena);
            input = interpreter.GetInput(0);
            output = interpreter.GetOutput(0);
            elements = i.ElementCount;
            window = new byte[elements];
            inZero = i.ZeroPoint;
            outZero = o.ZeroPoint;
            inScale = i.Scale;
            outScale = o.Scale;
            // q = zero + round(raw / (countsPerG * scale)), as raw * countsToQ16 / 2^16.
            countsToQ16 = (int)(65536f / (countsPerG * inScale) + 0.5f);
            Threshold = threshold;
            LastScore = -1;
        }

        /// <summary>
        /// Adds one raw accelerometer sample. Returns true when it completed a window: the model has
        /// run and <see cref="LastScore"/> / <see cref="IsAnomaly"/> describe that window.
        /// Allocates nothing.
        /// </summary>
        public bool Add(int rawX, int rawY, int rawZ)
        {
            window[filled] = (byte)(sbyte)Quantize(rawX);
            window[filled + 1] = (byte)(sbyte)Quantize(rawY);
            window[filled + 2] = (byte)(sbyte)Quantize(rawZ);
            filled += Axes;
            if (filled < elements) return false;
            filled = 0;
            input.CopyFrom(window, 0);
            interpreter.Invoke();
            LastScore = Score();
            return true;
        }

        int Quantize(int raw)
        {
            long scaled = (long)raw * countsToQ16;
            int q = inZero + (int)((scaled + 32768) >> 16);
            return q < -128 ? -128 : q > 127 ? 127 : q;
        }

        float Score()
        {
            float sum = 0;
            for (int k = 0; k < elements; k++)
            {
                float d = ((sbyte)window[k] - inZero) * inScale - (output.GetInt8(k) - outZero) * outScale;
                sum += d * d;
            }
            return sum / elements;
        }
    }
}
