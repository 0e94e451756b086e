using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Float;
using Mote.Runtime;
using Mote.Runtime.Format;

namespace Mote.Packer.Quantization
{
    /// <summary>
    /// Runs a packed, quantized model on the host with float inputs and outputs in the float graph's
    /// layout: quantizes inputs the way TFLite's QUANTIZE does (round half away from zero, clamp),
    /// invokes the int8 runtime and dequantizes. Can also stop after every operator to compare each
    /// layer's int8 output with the float graph's.
    /// </summary>
    public sealed class Int8Runner
    {
        readonly FloatGraph g;
        readonly Interpreter interp;
        /// <summary>For each runtime tensor, the float tensor it quantizes (−1: none, e.g. an inserted PAD output).</summary>
        public readonly int[] FloatTensorOf;
        /// <summary>For each float tensor, its runtime tensor (−1: folded away).</summary>
        public readonly int[] RuntimeTensorOf;

        public Int8Runner(FloatGraph graph, QuantizedModel q, PackResult pack)
        {
            g = graph;
            interp = new Interpreter(pack.Model);
            FloatTensorOf = Enumerable.Repeat(-1, pack.Model.TensorCount).ToArray();
            RuntimeTensorOf = Enumerable.Repeat(-1, graph.Tensors.Count).ToArray();
            var floatOfTflite = new Dictionary<int, int>();
            for (int f = 0; f < q.TfliteIndex.Length; f++)
                if (q.TfliteIndex[f] >= 0) floatOfTflite[q.TfliteIndex[f]] = f;
            foreach (var t in pack.Graph.Tensors)
                if (floatOfTflite.TryGetValue(t.SourceIndex, out int f))
                {
                    FloatTensorOf[t.Index] = f;
                    RuntimeTensorOf[f] = t.Index;
                }
        }

        public Interpreter Interpreter => interp;

        /// <summary>round(x / scale) + zero point, clamped to int8 (TFLite AffineQuantize).</summary>
        public static sbyte Quantize(float x, float scale, int zeroPoint)
        {
            double v = Math.Round(x / (double)scale, MidpointRounding.AwayFromZero) + zeroPoint;
            if (double.IsNaN(v)) v = zeroPoint;
            return (sbyte)Math.Clamp(v, -128, 127);
        }

        /// <summary>round(x / scale) + zero point, clamped to int16 (TFLite AffineQuantize).</summary>
        public static short QuantizeInt16(float x, float scale, int zeroPoint)
        {
            double v = Math.Round(x / (double)scale, MidpointRounding.AwayFromZero) + zeroPoint;
            if (double.IsNaN(v)) v = zeroPoint;
            return (short)Math.Clamp(v, -32768, 32767);
        }

        public void SetInputs(float[][] inputs)
        {
            for (int i = 0; i < interp.InputCount; i++)
            {
                var view = interp.GetInput(i);
                var x = inputs[i];
                if (x.Length != view.Info.ElementCount)
                    throw new ArgumentException($"input {i} needs {view.Info.ElementCount} values; {x.Length} given");
                if (view.Info.DataType == DataType.Int16)
                    for (int k = 0; k < x.Length; k++)
                    {
                        short v = QuantizeInt16(x[k], view.Info.Scale, view.Info.ZeroPoint);
                        view.Buffer[view.Start + 2 * k] = (byte)v;
                        view.Buffer[view.Start + 2 * k + 1] = (byte)(v >> 8);
                    }
                else
                    for (int k = 0; k < x.Length; k++) view.SetInt8(k, Quantize(x[k], view.Info.Scale, view.Info.ZeroPoint));
            }
        }

        /// <summary>Dequantized values of a runtime tensor (int8 or int16).</summary>
        public float[] Dequantize(int runtimeTensor)
        {
            var view = interp.GetTensor(runtimeTensor);
            var r = new float[view.Info.ElementCount];
            if (view.Info.DataType == DataType.Int16)
                for (int k = 0; k < r.Length; k++)
                    r[k] = ((short)(view.Buffer[view.Start + 2 * k] | (view.Buffer[view.Start + 2 * k + 1] << 8)) - view.Info.ZeroPoint) * view.Info.Scale;
            else
                for (int k = 0; k < r.Length; k++) r[k] = (view.GetInt8(k) - view.Info.ZeroPoint) * view.Info.Scale;
            return r;
        }

        /// <summary>Runs the int8 model and returns the dequantized outputs (graph layout).</summary>
        public float[][] Run(float[][] inputs)
        {
            SetInputs(inputs);
            interp.Invoke();
            var outs = new float[interp.OutputCount][];
            for (int i = 0; i < outs.Length; i++) outs[i] = Dequantize(interp.Model.GetOutputTensorIndex(i));
            return outs;
        }

        /// <summary>Runs operator by operator, handing each operator's dequantized output to <paramref name="onOutput"/> (float tensor index, values).</summary>
        public void RunLayers(float[][] inputs, Action<int, float[]> onOutput)
        {
            SetInputs(inputs);
            for (int i = 0; i < interp.Model.OperatorCount; i++)
            {
                interp.InvokeOperator(i);
                int rt = interp.Model.GetOperator(i).Outputs[0];
                int f = FloatTensorOf[rt];
                var dt = interp.GetTensor(rt).Info.DataType;
                if (f >= 0 && (dt == DataType.Int8 || dt == DataType.Int16)) onOutput(f, Dequantize(rt));
            }
        }
    }

    /// <summary>Accumulates signal-to-quantization-noise ratio and cosine similarity of int8 against float values.</summary>
    public sealed class ErrorStats
    {
        public double Signal, Noise, Dot, FloatNorm, Int8Norm, MaxAbs;
        public long Count;

        public void Add(float[] reference, float[] actual)
        {
            int n = Math.Min(reference.Length, actual.Length);
            for (int i = 0; i < n; i++)
            {
                double f = reference[i], q = actual[i], e = f - q;
                Signal += f * f;
                Noise += e * e;
                Dot += f * q;
                FloatNorm += f * f;
                Int8Norm += q * q;
                MaxAbs = Math.Max(MaxAbs, Math.Abs(e));
            }
            Count += n;
        }

        /// <summary>10·log10(Σ float² / Σ (float − int8)²); +∞ when identical.</summary>
        public double SqnrDb => Noise == 0 ? double.PositiveInfinity : Signal == 0 ? double.NegativeInfinity : 10 * Math.Log10(Signal / Noise);

        public double Cosine => FloatNorm == 0 || Int8Norm == 0 ? (FloatNorm == Int8Norm ? 1 : 0) : Dot / Math.Sqrt(FloatNorm * Int8Norm);
    }
}
