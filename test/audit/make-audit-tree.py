"""Build the audit test tree from the shipped samples with pydicom (an outside writer, not unmask's):
plane-cut and back-half copies of each scan (new UIDs), an RT Structure Set with a body contour, a
secondary capture with a name burned into its pixels, and broken files.
Usage: /usr/bin/python3 make-audit-tree.py CT_DIR MRI_DIR OUT_DIR"""
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from PIL import Image, ImageDraw, ImageFont

ct_dir, mri_dir, out = sys.argv[1:4]


def read_series(folder):
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".dcm"))
    return [pydicom.dcmread(f) for f in files]


def patient_y(ds):
    """Patient y (LPS, mm) of every pixel of a slice."""
    ipp = [float(x) for x in ds.ImagePositionPatient]
    iop = [float(x) for x in ds.ImageOrientationPatient]
    dr, dc = (float(x) for x in ds.PixelSpacing)  # row spacing, column spacing
    r, c = np.mgrid[0:ds.Rows, 0:ds.Columns]
    return ipp[1] + c * dc * iop[1] + r * dr * iop[4]


def copy_with(series, name, keep, air_stored):
    """Write `series` to OUT/name with voxels where keep(y) is False set to air and new UIDs."""
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    series_uid = generate_uid()
    for n, ds in enumerate(series):
        ds = ds.copy()
        px = ds.pixel_array.copy()
        px[~keep(patient_y(ds))] = air_stored
        ds.PixelData = px.astype(ds.pixel_array.dtype).tobytes()
        ds.SeriesInstanceUID = series_uid
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.SeriesDescription = f"{ds.get('SeriesDescription', '')} {name}"
        ds.save_as(os.path.join(folder, f"IM{n + 1:04d}.dcm"), write_like_original=False)


def head_extent(series, level_stored):
    ys = [patient_y(ds)[ds.pixel_array > level_stored] for ds in series]
    ys = np.concatenate([y for y in ys if y.size])
    return ys.min(), ys.max()


def cuts(series, tag, level_stored, air_stored):
    ymin, ymax = head_extent(series, level_stored)  # ymin: the nose tip (most anterior skin)
    # Face cut away by a coronal plane 60 mm behind the nose tip: no nose, lips or eyelids left on
    # either scan (the shipped MRI's nose projects ~40 mm in front of its eyelids, so 40 mm would not do).
    copy_with(series, f"{tag}-planecut", lambda y: y > ymin + 60, air_stored)
    # Only the back half of the head.
    copy_with(series, f"{tag}-back", lambda y: y > (ymin + ymax) / 2, air_stored)


ct = read_series(ct_dir)
slope, inter = float(ct[0].RescaleSlope), float(ct[0].RescaleIntercept)
cuts(ct, "ct", (-300 - inter) / slope, (-1024 - inter) / slope)
mri = read_series(mri_dir)
cuts(mri, "mri", 30, 0)


def meta(sop_class):
    m = FileMetaDataset()
    m.MediaStorageSOPClassUID = sop_class
    m.MediaStorageSOPInstanceUID = generate_uid()
    m.TransferSyntaxUID = ExplicitVRLittleEndian
    return m


def base(sop_class, modality, file):
    ds = FileDataset(file, {}, file_meta=meta(sop_class), preamble=b"\0" * 128)
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = ct[0].StudyInstanceUID
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = modality
    ds.PatientName = "DOE^JOHN"
    ds.PatientID = "RT-0001"
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    return ds


# RT Structure Set with an EXTERNAL body contour (one closed polygon on one slice).
os.makedirs(os.path.join(out, "rt"), exist_ok=True)
rs_file = os.path.join(out, "rt", "RS.dcm")
rs = base("1.2.840.10008.5.1.4.1.1.481.3", "RTSTRUCT", rs_file)
roi = Dataset(); roi.ROINumber = 1; roi.ROIName = "BODY"; roi.ReferencedFrameOfReferenceUID = ct[0].FrameOfReferenceUID
rs.StructureSetROISequence = [roi]
obs = Dataset(); obs.ObservationNumber = 1; obs.ReferencedROINumber = 1; obs.RTROIInterpretedType = "EXTERNAL"
rs.RTROIObservationsSequence = [obs]
contour = Dataset(); contour.ContourGeometricType = "CLOSED_PLANAR"; contour.NumberOfContourPoints = 4
z = float(ct[50].ImagePositionPatient[2])
contour.ContourData = [-80, -100, z, 80, -100, z, 80, 100, z, -80, 100, z]
rc = Dataset(); rc.ReferencedROINumber = 1; rc.ContourSequence = [contour]
rs.ROIContourSequence = [rc]
rs.StructureSetLabel = "test"
rs.save_as(rs_file, write_like_original=False)

# Secondary capture with a patient name burned into its pixels.
os.makedirs(os.path.join(out, "screens"), exist_ok=True)
sc_file = os.path.join(out, "screens", "SC.dcm")
img = Image.new("L", (640, 160), 0)
draw = ImageDraw.Draw(img)
font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
font = ImageFont.truetype(font_path, 44) if os.path.exists(font_path) else ImageFont.load_default()
draw.text((20, 50), "PATIENT JOHN DOE", fill=255, font=font)
sc = base("1.2.840.10008.5.1.4.1.1.7", "OT", sc_file)
sc.ConversionType = "WSD"
sc.Rows, sc.Columns = img.height, img.width
sc.SamplesPerPixel = 1
sc.PhotometricInterpretation = "MONOCHROME2"
sc.BitsAllocated = sc.BitsStored = 8
sc.HighBit = 7
sc.PixelRepresentation = 0
sc.PixelData = np.asarray(img, dtype=np.uint8).tobytes()
sc.save_as(sc_file, write_like_original=False)

# Broken and non-image files.
os.makedirs(os.path.join(out, "broken"), exist_ok=True)
with open(os.path.join(ct_dir, "IM0001.dcm"), "rb") as f:
    head = f.read(700)
with open(os.path.join(out, "broken", "cut.dcm"), "wb") as f:
    f.write(head)
with open(os.path.join(out, "broken", "noise.bin"), "wb") as f:
    f.write(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
print("ok")
