// The accessor Visual Studio's nanoFramework resource generator (nFResXFileCodeGenerator) writes for
// Resources.resx; regenerated when the .resx changes. Written out here so the sample stub-checks
// without Visual Studio. The enum value is the tool's: if your regenerated file differs, keep it.
namespace Mote.Samples.Esp32
{
    internal partial class Resources
    {
        private static System.Resources.ResourceManager manager;

        internal static System.Resources.ResourceManager ResourceManager
        {
            get
            {
                if (Resources.manager == null)
                    Resources.manager = new System.Resources.ResourceManager("Mote.Samples.Esp32.Resources", typeof(Resources).Assembly);
                return Resources.manager;
            }
        }

        [System.SerializableAttribute()]
        internal enum BinaryResources : short
        {
            model = 1,
        }
    }
}
