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

}  // namespace

Expected<RigidRegistrationResult> register_rigid(const Volume<float>& fixed, const Volume<float>& moving,
                                                 const RigidRegistrationOptions& o) {
  if (fixed.voxels.empty() || moving.voxels.empty())
    return Error::bad_argument("registration", "two non-empty CT volumes", "an empty volume");
  if (o.shrink.empty() || o.shrink.size() != o.smoothing_mm.size())
    return Error::bad_argument("registration levels", "as many smoothing sigmas as shrink factors", "a mismatch");
  try {
    auto fixed_image = to_itk(fixed, o.clamp_lower_hu, o.clamp_upper_hu);
    auto moving_image = to_itk(moving, o.clamp_lower_hu, o.clamp_upper_hu);

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
