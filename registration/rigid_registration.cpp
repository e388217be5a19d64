// Adapter: sbrtkit Volume<float> <-> itk::Image<float, 3>, and the ITK v4 rigid registration
// (Mattes MI, VersorRigid3DTransform, regular-step gradient descent, multi-resolution). ITK exceptions
// are caught here and returned as Error.
#include <itkCenteredTransformInitializer.h>
#include <itkImage.h>
#include <itkImageRegistrationMethodv4.h>
#include <itkMattesMutualInformationImageToImageMetricv4.h>
#include <itkRegistrationParameterScalesFromPhysicalShift.h>
#include <itkRegularStepGradientDescentOptimizerv4.h>
#include <itkVersorRigid3DTransform.h>

#include <algorithm>

#include "sbrtkit/registration.h"

namespace sbrtkit {
namespace {

using ImageType = itk::Image<float, 3>;
using TransformType = itk::VersorRigid3DTransform<double>;

ImageType::Pointer to_itk(const Volume<float>& v, double lower, double upper) {
  const auto& g = v.geometry;
  auto image = ImageType::New();
  ImageType::RegionType region;
  ImageType::SizeType size;
  for (unsigned a = 0; a < 3; ++a) size[a] = static_cast<itk::SizeValueType>(g.size()[a]);
  region.SetSize(size);
  image->SetRegions(region);
  ImageType::SpacingType spacing;
  spacing[0] = g.spacing_mm().x;
  spacing[1] = g.spacing_mm().y;
  spacing[2] = g.spacing_mm().z;
  image->SetSpacing(spacing);
  ImageType::PointType origin;
  origin[0] = g.origin().x;
  origin[1] = g.origin().y;
  origin[2] = g.origin().z;
  image->SetOrigin(origin);
  ImageType::DirectionType direction;
  for (unsigned a = 0; a < 3; ++a) {  // column a = direction of index axis a
    direction[0][a] = g.axes()[a].x;
    direction[1][a] = g.axes()[a].y;
    direction[2][a] = g.axes()[a].z;
  }
  image->SetDirection(direction);
  image->Allocate();
  float* out = image->GetBufferPointer();  // ITK also stores i fastest
  for (std::size_t n = 0; n < v.voxels.size(); ++n)
    out[n] = static_cast<float>(std::clamp(static_cast<double>(v.voxels[n]), lower, upper));
  return image;
}

/// Block average to about min_spacing_mm per axis. A rigid CT-to-CT registration needs no sub-2 mm
/// detail, and ITK's pyramid otherwise smooths the full 512 x 512 planning CT at every level (minutes).
Volume<float> coarsen(const Volume<float>& v, double min_spacing_mm) {
  const auto& g = v.geometry;
  const double spacing[3] = {g.spacing_mm().x, g.spacing_mm().y, g.spacing_mm().z};
  std::array<std::int64_t, 3> factor{}, size{};
  for (int a = 0; a < 3; ++a) {
    factor[a] = std::max<std::int64_t>(1, std::int64_t(min_spacing_mm / spacing[a]));
    size[a] = std::max<std::int64_t>(1, g.size()[a] / factor[a]);
  }
  if (factor[0] == 1 && factor[1] == 1 && factor[2] == 1) return v;
  PatientPoint origin = g.origin();
  for (int a = 0; a < 3; ++a) origin = origin + (0.5 * double(factor[a] - 1)) * g.step(a);
  Volume<float> out(ImageGeometry(size, origin,
                                  {spacing[0] * double(factor[0]), spacing[1] * double(factor[1]),
                                   spacing[2] * double(factor[2])},
                                  g.axes()));
  const double count = double(factor[0] * factor[1] * factor[2]);
  for (std::int64_t k = 0; k < size[2]; ++k)
    for (std::int64_t j = 0; j < size[1]; ++j)
      for (std::int64_t i = 0; i < size[0]; ++i) {
        double sum = 0;
        for (std::int64_t dk = 0; dk < factor[2]; ++dk)
          for (std::int64_t dj = 0; dj < factor[1]; ++dj)
            for (std::int64_t di = 0; di < factor[0]; ++di)
              sum += v.at(i * factor[0] + di, j * factor[1] + dj, k * factor[2] + dk);
        out.at(i, j, k) = float(sum / count);
      }
  return out;
}

}  // namespace

Expected<RigidRegistrationResult> register_rigid(const Volume<float>& fixed, const Volume<float>& moving,
                                                 const RigidRegistrationOptions& o) {
  if (fixed.voxels.empty() || moving.voxels.empty())
    return Error::bad_argument("registration", "two non-empty CT volumes", "an empty volume");
  if (o.shrink.empty() || o.shrink.size() != o.smoothing_mm.size())
    return Error::bad_argument("registration levels", "as many smoothing sigmas as shrink factors", "a mismatch");
  try {
    auto fixed_image = to_itk(coarsen(fixed, o.min_spacing_mm), o.clamp_lower_hu, o.clamp_upper_hu);
    auto moving_image = to_itk(coarsen(moving, o.min_spacing_mm), o.clamp_lower_hu, o.clamp_upper_hu);

    using MetricType = itk::MattesMutualInformationImageToImageMetricv4<ImageType, ImageType>;
    using OptimizerType = itk::RegularStepGradientDescentOptimizerv4<double>;
    using RegistrationType = itk::ImageRegistrationMethodv4<ImageType, ImageType, TransformType>;
    auto metric = MetricType::New();
    metric->SetNumberOfHistogramBins(static_cast<itk::SizeValueType>(o.histogram_bins));
    metric->SetUseMovingImageGradientFilter(false);
    metric->SetUseFixedImageGradientFilter(false);
    auto optimizer = OptimizerType::New();
    optimizer->SetLearningRate(o.learning_rate);
    optimizer->SetMinimumStepLength(1e-4);
    optimizer->SetRelaxationFactor(0.5);
    optimizer->SetNumberOfIterations(static_cast<itk::SizeValueType>(o.iterations));
    optimizer->SetGradientMagnitudeTolerance(1e-6);
    auto scales = itk::RegistrationParameterScalesFromPhysicalShift<MetricType>::New();
    scales->SetMetric(metric);
    optimizer->SetScalesEstimator(scales);
    optimizer->SetDoEstimateLearningRateOnce(true);

    auto transform = TransformType::New();
    using InitializerType = itk::CenteredTransformInitializer<TransformType, ImageType, ImageType>;
    auto initializer = InitializerType::New();
    initializer->SetTransform(transform);
    initializer->SetFixedImage(fixed_image);
    initializer->SetMovingImage(moving_image);
    initializer->MomentsOn();
    initializer->InitializeTransform();

    auto registration = RegistrationType::New();
    registration->SetFixedImage(fixed_image);
    registration->SetMovingImage(moving_image);
    registration->SetMetric(metric);
    registration->SetOptimizer(optimizer);
    registration->SetInitialTransform(transform);
    registration->InPlaceOn();
    const auto levels = static_cast<unsigned>(o.shrink.size());
    RegistrationType::ShrinkFactorsArrayType shrink(levels);
    RegistrationType::SmoothingSigmasArrayType sigmas(levels);
    for (unsigned l = 0; l < levels; ++l) {
      shrink[l] = static_cast<unsigned long>(o.shrink[l]);
      sigmas[l] = o.smoothing_mm[l];
    }
    registration->SetNumberOfLevels(levels);
    registration->SetShrinkFactorsPerLevel(shrink);
    registration->SetSmoothingSigmasPerLevel(sigmas);
    registration->SetSmoothingSigmasAreSpecifiedInPhysicalUnits(true);
    registration->SetMetricSamplingStrategy(RegistrationType::MetricSamplingStrategyEnum::RANDOM);
    registration->SetMetricSamplingPercentage(o.sampling_fraction);
    registration->MetricSamplingReinitializeSeed(121212);
    registration->Update();

    // ITK's transform maps fixed-frame points to moving-frame points: p_m = M p_f + offset.
    const auto m = transform->GetMatrix();
    const auto off = transform->GetOffset();
    RigidMap fixed_to_moving;
    for (unsigned i = 0; i < 3; ++i)
      for (unsigned j = 0; j < 3; ++j) fixed_to_moving.rotation[3 * i + j] = m[i][j];
    fixed_to_moving.translation_mm = {off[0], off[1], off[2]};
    RigidRegistrationResult r;
    r.moving_to_fixed = fixed_to_moving.inverse();
    r.metric_value = optimizer->GetValue();
    r.iterations = static_cast<int>(optimizer->GetCurrentIteration());
    r.stop_condition = optimizer->GetStopConditionDescription();
    return r;
  } catch (const itk::ExceptionObject& e) {
    return Error::unsupported("", "rigid registration", std::string("ITK: ") + e.GetDescription());
  }
}

}  // namespace sbrtkit
