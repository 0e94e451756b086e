using System.IO;
using System.Linq;
using Mote.Packer.Tflite;
using Mote.Runtime;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Models
{
    /// <summary>
    /// Single operators cut out of a shared model (same tensors, buffers and operator codes; one operator,
    /// whose inputs and output become the model's), packed and run against that operator's TFLM layer dump.
    /// Lets an op be checked bit-exact on a real model before every other op of the model is supported.
    /// </summary>
    public class CutOperatorTests
    {
        static PackResult PackOperator(TfliteModel model, int op, string name)
        {
            var g = model.Subgraphs[0];
            var o = g.Operators[op];
            // The model's inputs are the operator's inputs that have no data (constants stay constants).
            var inputs = o.Inputs.Where(t => t >= 0 && !(g.Tensors[t].Buffer > 0 && model.Buffers[g.Tensors[t].Buffer].Data?.Length > 0)).ToArray();
            var sub = new SubGraph { Tensors = g.Tensors, Inputs = inputs, Outputs = o.Outputs, Operators = new[] { o }, Name = g.Name };
            var cut = new TfliteModel { Version = model.Version, OperatorCodes = model.OperatorCodes, Subgraphs = new[] { sub }, Buffers = model.Buffers };
            return Packer.Finish(TfliteImporter.Import(cut, name), 0);
        }

        [SkippableTheory]
        [InlineData(0, "input_0.bin", "op000_quantize_t0.bin")]        // int16 [1,96] -> int8 (the model's first op)
        [InlineData(14, "layers_0/op013_softmax_t51.bin", "op014_quantize_t53.bin")] // int16 softmax output -> int32 (the last op)
        public void KeywordScrambled_QuantizeOperator_MatchesTflmLayer(int op, string inputFile, string expectedFile)
        {
            string dir = SharedModels.VectorDir("keyword_scrambled_int8");
            var model = TfliteModel.Parse(File.ReadAllBytes(SharedModels.ModelPath("keyword_scrambled_int8")), "keyword_scrambled_int8.tflite");
            var packed = PackOperator(model, op, "keyword_scrambled_int8.tflite");
            var it = new Interpreter(Model.Load(packed.Blob));
            it.GetInput(0).CopyFrom(File.ReadAllBytes(Path.Combine(dir, inputFile)), 0);
            it.Invoke();
            var expected = File.ReadAllBytes(Path.Combine(dir, "layers_0", expectedFile));
            var actual = new byte[it.GetOutput(0).Bytes];
            it.GetOutput(0).CopyTo(actual, 0);
            Assert.Equal(expected, actual);
        }
    
        [SkippableFact]
        public void AudioPreprocessor_Int32StridedSlice_MatchesTflmLayer()
        {
            // Operator 6 of audio_preprocessor_int8: int32 [257] -> [236], fed by the CAST before it.
            string dir = SharedModels.VectorDir("audio_preprocessor_int8");
            var model = TfliteModel.Parse(File.ReadAllBytes(SharedModels.ModelPath("audio_preprocessor_int8")), "audio_preprocessor_int8.tflite");
            var it = new Interpreter(Model.Load(PackOperator(model, 6, "audio_preprocessor_int8.tflite").Blob));
            it.GetInput(0).CopyFrom(File.ReadAllBytes(Path.Combine(dir, "layers_0", "op005_cast_t25.bin")), 0);
            it.Invoke();
            var expected = File.ReadAllBytes(Path.Combine(dir, "layers_0", "op006_strided_slice_t26.bin"));
            var actual = new byte[it.GetOutput(0).Bytes];
            it.GetOutput(0).CopyTo(actual, 0);
            Assert.Equal(expected, actual);
        }
    }
}
