using System;
using System.IO;
using System.Collections.Generic;
using Mote.Packer.Blob;
using Mote.Packer.Float;
using Mote.Packer.Onnx;
using Mote.Packer.Quantization;
using Mote.Packer.Graph;
using Mote.Packer.Planning;
using Mote.Runtime;

namespace Mote.Packer
{
    /// <summary>The result of packing: the graph (for reports) and the verified blob.</summary>
    public sealed class PackResult
    {
        public PackGraph Graph { get; init; }
        public byte[] Blob { get; init; }
        public Model Model { get; init; }
        /// <summary>Bytes that must be live at once at the worst step (no plan can use less arena).</summary>
        public long ArenaLowerBound { get; init; }
        /// <summary>The arena plan: winning strategy, in-place reuses, scratch, lower bounds.</summary>
        public ArenaPlan Plan => Graph.Plan;
        public long SourceBytes { get; init; }
    }

    /// <summary>Import → plan → write → verify (the written blob is loaded back with the device's own reader).</summary>
    public static class Packer
    {
        public static PackResult PackTflite(byte[] tflite, string fileName)
        {
            var graph = TfliteImporter.Import(tflite, fileName);
            return Finish(graph, tflite.Length);
        }

        public static PackResult PackFile(string path)
        {
            if (!File.Exists(path)) throw new PackException($"{path}: file not found");
            byte[] bytes = File.ReadAllBytes(path);
            string ext = Path.GetExtension(path).ToLowerInvariant();
            if (ext == ".onnx")
                throw new PackException($"{path}: an ONNX model is quantized while packing: give representative inputs with --calibration <samples.npy|dir>");
            if (ext != ".tflite")
                throw new PackException($"{path}: unknown model type '{ext}' (mote pack reads .tflite int8 models and .onnx float or QDQ models)");
            return PackTflite(bytes, Path.GetFileName(path));
        }

        /// <summary>Reads an ONNX model and lowers it to the float graph (layout converted, BN folded).</summary>
        public static FloatGraph ImportOnnx(string path)
        {
            var model = OnnxModel.Load(path);
            return OnnxImporter.Import(model);
        }

        /// <summary>ONNX float/QDQ → calibrate → quantize → pack. <paramref name="calibration"/> may be empty for a fully QDQ model.</summary>
        public static QuantizeResult PackOnnx(FloatGraph graph, IReadOnlyList<float[][]> calibration, QuantizeOptions options, long sourceBytes)
        {
            return PostTrainingQuantizer.Run(graph, calibration, options, sourceBytes);
        }

        public static PackResult Finish(PackGraph graph, long sourceBytes)
        {
            ArenaPlanner.Plan(graph);
            var scratch = graph.Plan.ScratchBytes;
            for (int i = 0; i < scratch.Length; i++)
                if (scratch[i] > 0)
                    throw new PackException($"{graph.SourceName}: operator {i} needs {scratch[i]} bytes of kernel scratch, which blob format 1.2 cannot record (docs/memory.md)");
            byte[] blob = BlobWriter.Write(graph);
            Model model;
            try
            {
                model = Model.Load(blob);
            }
            catch (MoteFormatException e)
            {
                // The packer wrote something its own runtime rejects: a packer bug, say so plainly.
                throw new PackException($"{graph.SourceName}: internal error, the written blob does not verify: {e.Message}", e);
            }
            return new PackResult
            {
                Graph = graph,
                Blob = blob,
                Model = model,
                ArenaLowerBound = graph.Plan.LowerBound,
                SourceBytes = sourceBytes,
            };
        }
    }
}
