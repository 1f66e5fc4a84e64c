"""The screens: the solo view and the race, and the modal forms, help and inspector over them."""
